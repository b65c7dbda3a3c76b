//! Roles and area scope 角色与数据范围 (docs/domain.md "Who uses the system"; §五
//! "县统筹、乡负责、村抓落实"). Every read is limited to the user's area; the
//! store filters by [`Scope::area`] in SQL, and the web asks [`Role`] what may be
//! shown or changed.

use crate::codes::code_list;
use crate::idnum::IdNumber;
use crate::region::RegionCode;

code_list! {
    /// A user's role.
    pub enum Role ("角色", "role") {
        CountyAdmin = ("county_admin", "县级管理员", "County administrator"),
        TownshipAdmin = ("township_admin", "乡镇管理员", "Township administrator"),
        VillageTeam = ("village_team", "村级工作专班", "Village working team"),
        Cadre = ("cadre", "帮扶责任人", "Responsible cadre"),
        Department = ("department", "部门数据员", "Department data provider"),
        Auditor = ("auditor", "审计监督", "Auditor"),
        ProvinceAdmin = ("province_admin", "省级管理员", "Province administrator"),
        GridMember = ("grid_member", "网格员", "Grid member"),
    }
}

impl Role {
    /// May see full ID numbers (county and township admins, auditors — whose every
    /// such read is logged); everyone else sees [`IdNumber::masked`].
    pub fn may_view_full_id(self) -> bool {
        matches!(
            self,
            Role::CountyAdmin | Role::TownshipAdmin | Role::Auditor
        )
    }

    /// May read the registry and the cases (households, members, income, case files, ledgers,
    /// documents): every role but the department data provider, who uploads its department's files and
    /// follows their rounds, nothing more (least privilege, PIPL).
    pub fn may_read_registry(self) -> bool {
        !matches!(
            self,
            Role::Department | Role::ProvinceAdmin | Role::GridMember
        )
    }

    /// May read the households of its area — the registry list, the household page, the search: every
    /// role of the registry ([`Role::may_read_registry`]) and the grid member 网格员, whose area is its grid
    /// (网格化管理, §四(六); [`Scope::grid`]) and who reads nothing else of the registry.
    pub fn may_read_households(self) -> bool {
        self.may_read_registry() || self == Role::GridMember
    }

    /// May change the registry (households, members, income, lifecycle). Auditors
    /// read only; department providers only upload data files; the province admin sets the province's
    /// lines and its county admins, nothing of a household.
    pub fn may_write(self) -> bool {
        !matches!(
            self,
            Role::Auditor | Role::Department | Role::ProvinceAdmin | Role::GridMember
        )
    }

    /// May change the registry between imports (户情变更: add a member, record a death or a move, change
    /// the head, a member's situation, the household's address …): the village working team and up —
    /// 村级工作专班, 乡镇管理员, 县级管理员 — within their area ("村抓落实", §五). A responsible cadre reports what
    /// changed through the lifecycle (a clue, the monthly follow-up) but does not edit the registry; a
    /// department data provider and an auditor never write.
    pub fn may_change_registry(self) -> bool {
        matches!(
            self,
            Role::CountyAdmin | Role::TownshipAdmin | Role::VillageTeam
        )
    }

    /// May import the registry from a file (户籍台账导入): county and township admins (a township admin
    /// only its own townships' households).
    pub fn may_import_registry(self) -> bool {
        matches!(self, Role::CountyAdmin | Role::TownshipAdmin)
    }

    /// May read the county rules 县级规则 and monitoring lines (the county admin edits them, a township
    /// admin reads them).
    pub fn may_read_county_rules(self) -> bool {
        matches!(self, Role::CountyAdmin | Role::TownshipAdmin)
    }

    /// May edit county-wide settings (code lists, monitoring lines, rules, users).
    pub fn may_configure(self) -> bool {
        self == Role::CountyAdmin
    }

    /// The roles an admin of this role may give (用户授权): the province admin county admins, the county
    /// admin every role of a county, a township admin village teams, responsible cadres and grid members
    /// (网格员, with the grid: §四(六)), nobody else any. Province admins are the operator's (`shouwang user add`).
    pub fn grantable(self) -> &'static [Role] {
        match self {
            Role::ProvinceAdmin => &[Role::CountyAdmin],
            Role::CountyAdmin => &[
                Role::CountyAdmin,
                Role::TownshipAdmin,
                Role::VillageTeam,
                Role::Cadre,
                Role::Department,
                Role::Auditor,
                Role::GridMember,
            ],
            Role::TownshipAdmin => &[Role::VillageTeam, Role::Cadre, Role::GridMember],
            _ => &[],
        }
    }

    /// May set the monitoring line of its province (防止返贫监测线 by year, §三(一)1) and whether its
    /// counties may set their own: the province admin 省级管理员 (issue 19: a county admin's edit must not
    /// change the other counties' line).
    pub fn may_set_province_line(self) -> bool {
        self == Role::ProvinceAdmin
    }

    /// The digits of the area the role is scoped to: 2 for a province, 6 for a county, 9 for a township,
    /// 12 for a village (a grid member: the village of its grid, followed by `/` and the grid's number).
    pub fn area_digits(self) -> usize {
        match self {
            Role::ProvinceAdmin => 2,
            Role::CountyAdmin | Role::Department | Role::Auditor => 6,
            Role::TownshipAdmin => 9,
            Role::VillageTeam | Role::Cadre | Role::GridMember => 12,
        }
    }
}

/// What a signed-in user may reach: a role over an area.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scope {
    /// The user's id.
    pub user_id: i64,
    /// The role.
    pub role: Role,
    /// Region code prefix: 6 digits for a county, 9 for a township, 12 for a
    /// village. (A zero-padded 12-digit county or township code is understood as
    /// its prefix.) A grid member's is its grid, `<village>/<网格编号>` ([`Scope::grid`]): no code prefix,
    /// so that [`Scope::covers`] and every area filter that does not know grids cover nothing.
    pub area: String,
}

impl Scope {
    /// A scope.
    pub fn new(user_id: i64, role: Role, area: impl Into<String>) -> Scope {
        Scope {
            user_id,
            role,
            area: area.into(),
        }
    }

    /// The significant prefix of [`Scope::area`] (strips the zero padding of a
    /// 12-digit county or township code; whitespace ignored).
    pub fn area_prefix(&self) -> &str {
        let a = self.area.trim();
        match RegionCode::parse(a) {
            Ok(c) if a.len() == 12 => &a[..c.scope_prefix().len()],
            _ => a,
        }
    }

    /// The grid of a grid member 网格员 (网格化管理, §四(六)): its village's 12 digits and the grid's number in
    /// the village, read from the area `<village>/<n>`; `None` for any other role or a malformed area.
    pub fn grid(&self) -> Option<(&str, u32)> {
        if self.role != Role::GridMember {
            return None;
        }
        parse_grid_area(&self.area)
    }

    /// Whether a region (or natural-village) code lies inside the area (prefix
    /// match). An empty area covers nothing, and so does a grid member's (its grid is no code prefix: the
    /// store reads its households by [`Scope::grid`]).
    pub fn covers(&self, region_code: &str) -> bool {
        let p = self.area_prefix();
        !p.is_empty() && region_code.trim().starts_with(p)
    }

    /// [`Scope::covers`] for a parsed code.
    pub fn covers_region(&self, code: &RegionCode) -> bool {
        self.covers(code.as_str())
    }

    /// May edit the settings of `county` (rules, monitoring lines, code lists): the county admin of that
    /// county.
    pub fn may_configure(&self, county: &str) -> bool {
        self.role.may_configure() && self.area_prefix() == county
    }

    /// May set the monitoring line of `province` (2 digits) and its county policy: the province admin of
    /// that province ([`Role::may_set_province_line`]).
    pub fn may_set_province_line(&self, province: &str) -> bool {
        self.role.may_set_province_line() && self.area_prefix() == province
    }

    /// May see full ID numbers ([`Role::may_view_full_id`]).
    pub fn may_view_full_id(&self) -> bool {
        self.role.may_view_full_id()
    }

    /// May change the registry ([`Role::may_write`]).
    pub fn may_write(&self) -> bool {
        self.role.may_write()
    }

    /// May change the households of `village` between imports (户情变更): the role may
    /// ([`Role::may_change_registry`]) and the area covers the village.
    pub fn may_change_household(&self, village: &str) -> bool {
        self.role.may_change_registry() && self.covers(village)
    }

    /// A member's exact age on `today`, for a role that sees full ID numbers; `None` for the others, who
    /// see the birth year instead ([`IdNumber::birth_date`]'s year). An exact age, watched from day to day,
    /// gives away the birthday hidden by the masked number (PIPL; issue 19), the birth year does not.
    pub fn exact_age(&self, id: IdNumber, today: chrono::NaiveDate) -> Option<u32> {
        self.may_view_full_id().then(|| id.age_on(today))
    }

    /// An ID number as this user may see it: full or masked.
    pub fn show_id(&self, id: IdNumber) -> String {
        if self.may_view_full_id() {
            id.to_string()
        } else {
            id.masked()
        }
    }
}

/// Why an admin may not give a role over an area, or may not manage an account (用户授权).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantRefusal {
    /// The admin's role may not give that role.
    Role,
    /// The area is outside the admin's, or above it.
    Area,
    /// The area is no region code, or not of the role's level (2 digits province, 6 county, 9 township, 12 village).
    AreaLevel,
    /// The account lies outside the admin's area, or above it: answered as a missing account.
    NotManaged,
    /// A township admin reaching an account of a role it may not give.
    RoleNotManaged,
    /// Separation of duties: the admin's own account (changed on its account page, with the old
    /// password), an auditor's (who watches the admins) or a peer county admin's.
    Protected,
}

impl GrantRefusal {
    /// 中文.
    pub fn message_zh(self) -> &'static str {
        match self {
            GrantRefusal::Role => "您不能授予该角色",
            GrantRefusal::Area => "管辖区域超出您的范围",
            GrantRefusal::AreaLevel => {
                "管辖区域应为该角色对应级别的区划代码（省 2 位、县 6 位、乡镇 9 位、村 12 位；网格员为“村代码/网格编号”）"
            }
            GrantRefusal::NotManaged => "未找到，或不在您的管辖范围内",
            GrantRefusal::RoleNotManaged => "您不能管理该角色的账号",
            GrantRefusal::Protected => {
                "审计监督、省级管理员和县级管理员的账号不由同级管理员修改（县级管理员由省级管理员管理）；本人账号请在“修改密码”页面凭旧密码修改"
            }
        }
    }

    /// English.
    pub fn message_en(self) -> &'static str {
        match self {
            GrantRefusal::Role => "You may not grant this role",
            GrantRefusal::Area => "The area is outside yours",
            GrantRefusal::AreaLevel => {
                "The area must be a region code of the role's level (2 digits province, 6 county, 9 township, 12 village; a grid member's is village/grid number)"
            }
            GrantRefusal::NotManaged => "Not found, or outside your area",
            GrantRefusal::RoleNotManaged => "You may not manage accounts of this role",
            GrantRefusal::Protected => {
                "Auditors', province admins' and county admins' accounts are not managed by a peer (county admins by their province admin); change your own on the password page with the old password"
            }
        }
    }
}

/// A grid's area `<village>/<n>`: a 12-digit village code and a grid number 1–999.
fn parse_grid_area(area: &str) -> Option<(&str, u32)> {
    let (village, n) = area.trim().split_once('/')?;
    let ok = village.len() == 12 && village.bytes().all(|b| b.is_ascii_digit());
    let n: u32 = n.parse().ok().filter(|n| (1..=999).contains(n))?;
    (ok && RegionCode::parse(village).is_ok()).then_some((village, n))
}

impl Role {
    /// The area prefix of this role over `area` (a region code; a padded county or township code is
    /// understood as its prefix; a province is its 2 digits), which must be of the role's level; a grid
    /// member's is its grid `<village>/<n>` ([`Scope::grid`]).
    pub fn area_for(self, area: &str) -> Result<String, GrantRefusal> {
        let area = area.trim();
        if self == Role::GridMember {
            return match parse_grid_area(area) {
                Some((village, n))
                    if RegionCode::parse(village).is_ok_and(|c| c.scope_prefix().len() == 12) =>
                {
                    Ok(format!("{village}/{n}"))
                }
                _ => Err(GrantRefusal::AreaLevel),
            };
        }
        let prefix = if area.len() == 2 && area.bytes().all(|b| b.is_ascii_digit()) && area != "00"
        {
            area.to_owned()
        } else {
            let code = RegionCode::parse(area).map_err(|_| GrantRefusal::AreaLevel)?;
            code.scope_prefix().to_owned()
        };
        if prefix.len() == self.area_digits() {
            Ok(prefix)
        } else {
            Err(GrantRefusal::AreaLevel)
        }
    }
}

impl Scope {
    /// Whether this admin may give `role` over `area` (用户授权): the role must be one the admin's role
    /// grants ([`Role::grantable`]; only the county admin grants township admins), the area of the
    /// role's level, inside the admin's and not above it. The normalised area prefix.
    pub fn grant(&self, role: Role, area: &str) -> Result<String, GrantRefusal> {
        if !self.role.grantable().contains(&role)
            || (role == Role::TownshipAdmin && self.role != Role::CountyAdmin)
        {
            return Err(GrantRefusal::Role);
        }
        let prefix = role.area_for(area)?;
        let place = prefix.split('/').next().unwrap_or_default();
        if !self.covers(place) || place.len() < self.area_prefix().len() {
            return Err(GrantRefusal::Area);
        }
        Ok(prefix)
    }

    /// Whether this admin manages the account of scope `target`: inside the admin's area and not above
    /// it ([`GrantRefusal::NotManaged`] otherwise), and for a township or province admin only the roles it
    /// grants ([`GrantRefusal::RoleNotManaged`]). Separation of duties ([`GrantRefusal::Protected`]): never
    /// its own account, an auditor's, a province admin's (those are the operator's, `shouwang user`) or a
    /// county admin's, except by the province admin of its province (a reset by a higher level).
    pub fn manages(&self, target: &Scope) -> Result<(), GrantRefusal> {
        let area = target.area_prefix();
        if !self.covers(area) || area.len() < self.area_prefix().len() {
            return Err(GrantRefusal::NotManaged);
        }
        let higher_level = self.role == Role::ProvinceAdmin && target.role == Role::CountyAdmin;
        if target.user_id == self.user_id
            || matches!(target.role, Role::Auditor | Role::ProvinceAdmin)
            || (target.role == Role::CountyAdmin && !higher_level)
        {
            return Err(GrantRefusal::Protected);
        }
        if matches!(self.role, Role::TownshipAdmin | Role::ProvinceAdmin)
            && !self.role.grantable().contains(&target.role)
        {
            return Err(GrantRefusal::RoleNotManaged);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::CodeList;

    #[test]
    fn role_permissions() {
        use Role::*;
        let full: Vec<Role> = Role::ALL
            .iter()
            .copied()
            .filter(|r| r.may_view_full_id())
            .collect();
        assert_eq!(full, [CountyAdmin, TownshipAdmin, Auditor]);
        let write: Vec<Role> = Role::ALL
            .iter()
            .copied()
            .filter(|r| r.may_write())
            .collect();
        assert_eq!(write, [CountyAdmin, TownshipAdmin, VillageTeam, Cadre]);
        assert!(CountyAdmin.may_configure() && !TownshipAdmin.may_configure());
        let change: Vec<Role> = Role::ALL
            .iter()
            .copied()
            .filter(|r| r.may_change_registry())
            .collect();
        assert_eq!(change, [CountyAdmin, TownshipAdmin, VillageTeam]);
        let team = Scope::new(3, VillageTeam, "141123100201");
        assert!(team.may_change_household("141123100201"));
        assert!(!team.may_change_household("141123100202"));
        assert!(!Scope::new(4, Department, "141123").may_change_household("141123100201"));
        assert!(!Scope::new(4, Cadre, "141123100201").may_change_household("141123100201"));
        let digits: Vec<usize> = Role::ALL.iter().map(|r| r.area_digits()).collect();
        assert_eq!(digits, [6, 9, 12, 12, 6, 6, 2, 12]);
        let province: Vec<Role> = Role::ALL
            .iter()
            .copied()
            .filter(|r| r.may_set_province_line())
            .collect();
        assert_eq!(province, [ProvinceAdmin]);
        assert!(!ProvinceAdmin.may_read_registry() && !ProvinceAdmin.may_configure());
        assert!(Scope::new(7, ProvinceAdmin, "14").may_set_province_line("14"));
        assert!(!Scope::new(7, ProvinceAdmin, "14").may_set_province_line("15"));
        assert!(!Scope::new(1, CountyAdmin, "141123").may_set_province_line("14"));
        assert_eq!(Role::from_code("county_admin"), Some(CountyAdmin));
        assert_eq!(Role::from_label_zh("审计监督"), Some(Auditor));
    }

    #[test]
    fn covers_by_prefix() {
        let county = Scope::new(1, Role::CountyAdmin, "141123");
        let town = Scope::new(2, Role::TownshipAdmin, "141123100");
        let village = Scope::new(3, Role::VillageTeam, "141123100201");
        let v = "141123100201";
        for s in [&county, &town, &village] {
            assert!(s.covers(v));
            assert!(s.covers("141123100201-03"));
        }
        assert!(!village.covers("141123100202"));
        assert!(!town.covers("141123101201"));
        assert!(!county.covers("141124100201"));
        assert!(!village.covers("141123100")); // shorter than the area
        assert!(!Scope::new(4, Role::Auditor, "").covers(v));
        assert!(!Scope::new(4, Role::Auditor, "  ").covers(v));
        // padded codes are understood as their prefix
        assert!(Scope::new(5, Role::CountyAdmin, "141123000000").covers(v));
        assert!(Scope::new(5, Role::TownshipAdmin, "141123100000").covers(v));
        assert!(!Scope::new(5, Role::TownshipAdmin, "141123101000").covers(v));
        assert_eq!(
            Scope::new(5, Role::CountyAdmin, "141123000000").area_prefix(),
            "141123"
        );
        assert!(county.covers_region(&RegionCode::parse(v).unwrap()));
    }

    #[test]
    fn id_display_by_role() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(
            Scope::new(1, Role::Auditor, "141123").show_id(id),
            "11010519491231002X"
        );
        assert_eq!(
            Scope::new(1, Role::Cadre, "141123100201").show_id(id),
            "110105********002X"
        );
        assert!(!Scope::new(1, Role::Department, "141123").may_write());
    }

    #[test]
    fn grants_follow_role_and_area() {
        use GrantRefusal as G;
        use Role::*;
        let county = Scope::new(1, CountyAdmin, "141123");
        let town = Scope::new(2, TownshipAdmin, "141123100");
        let team = Scope::new(3, VillageTeam, "141123100201");
        assert_eq!(
            county.grant(TownshipAdmin, "141123100"),
            Ok("141123100".into())
        );
        assert_eq!(
            county.grant(CountyAdmin, "141123000000"),
            Ok("141123".into())
        );
        assert_eq!(county.grant(Auditor, "141124"), Err(G::Area));
        assert_eq!(county.grant(VillageTeam, "141123100"), Err(G::AreaLevel));
        assert_eq!(county.grant(VillageTeam, "x"), Err(G::AreaLevel));
        assert_eq!(town.grant(Cadre, "141123100201"), Ok("141123100201".into()));
        assert_eq!(town.grant(Cadre, "141123101201"), Err(G::Area));
        assert_eq!(town.grant(TownshipAdmin, "141123100"), Err(G::Role));
        assert_eq!(town.grant(CountyAdmin, "141123"), Err(G::Role));
        for r in Role::ALL {
            assert_eq!(team.grant(*r, "141123100201"), Err(G::Role));
        }
        // The province admin gives county admins of its province, nothing else, and no province admin
        // is given by anyone (the operator's, `shouwang user add`).
        let province = Scope::new(7, ProvinceAdmin, "14");
        assert_eq!(province.grant(CountyAdmin, "141123"), Ok("141123".into()));
        assert_eq!(province.grant(CountyAdmin, "151123"), Err(G::Area));
        assert_eq!(province.grant(TownshipAdmin, "141123100"), Err(G::Role));
        assert_eq!(province.grant(Auditor, "141123"), Err(G::Role));
        for admin in [&province, &county] {
            assert_eq!(admin.grant(ProvinceAdmin, "14"), Err(G::Role));
        }
        assert_eq!(ProvinceAdmin.area_for(" 14 "), Ok("14".into()));
        assert_eq!(ProvinceAdmin.area_for("141123"), Err(G::AreaLevel));
        assert_eq!(CountyAdmin.area_for("14"), Err(G::AreaLevel));
        assert_eq!(ProvinceAdmin.area_for("00"), Err(G::AreaLevel));
        // A reset by a higher level: the province admin manages its counties' admins, nobody else's.
        assert_eq!(
            province.manages(&Scope::new(9, CountyAdmin, "141123")),
            Ok(())
        );
        assert_eq!(
            province.manages(&Scope::new(9, CountyAdmin, "151123")),
            Err(G::NotManaged)
        );
        for r in [Auditor, TownshipAdmin, Cadre] {
            let target = Scope::new(9, r, "141123100201".get(..r.area_digits()).unwrap_or(""));
            assert!(province.manages(&target).is_err(), "{r:?}");
        }
        assert_eq!(
            province.manages(&Scope::new(8, ProvinceAdmin, "14")),
            Err(G::Protected)
        );
        assert_eq!(province.manages(&province), Err(G::Protected));
        assert_eq!(
            county.manages(&Scope::new(9, ProvinceAdmin, "14")),
            Err(G::NotManaged)
        );
        // Managing accounts.
        assert_eq!(town.manages(&Scope::new(9, Cadre, "141123100202")), Ok(()));
        assert_eq!(
            town.manages(&Scope::new(9, Cadre, "141123101201")),
            Err(G::NotManaged)
        );
        assert_eq!(
            town.manages(&Scope::new(9, CountyAdmin, "141123")),
            Err(G::NotManaged)
        );
        assert_eq!(
            town.manages(&Scope::new(9, TownshipAdmin, "141123100")),
            Err(G::RoleNotManaged)
        );
        assert_eq!(
            county.manages(&Scope::new(9, TownshipAdmin, "141123100")),
            Ok(())
        );
        for g in [
            G::Role,
            G::Area,
            G::AreaLevel,
            G::NotManaged,
            G::RoleNotManaged,
        ] {
            assert!(!g.message_zh().is_empty() && !g.message_en().is_empty());
        }
    }

    #[test]
    fn a_grid_member_is_scoped_to_its_grid() {
        use GrantRefusal as G;
        use Role::*;
        let member = Scope::new(9, GridMember, "141123100201/2");
        assert_eq!(member.grid(), Some(("141123100201", 2)));
        // Fail closed: its area is no code prefix, so nothing that does not know grids covers anything.
        assert!(!member.covers("141123100201") && !member.covers("141123100201-01"));
        assert!(!member.may_change_household("141123100201"));
        assert!(!GridMember.may_read_registry() && GridMember.may_read_households());
        assert!(!GridMember.may_write() && !GridMember.may_view_full_id());
        let readers: Vec<Role> = Role::ALL
            .iter()
            .copied()
            .filter(|r| r.may_read_households() && !r.may_read_registry())
            .collect();
        assert_eq!(readers, [GridMember]);
        // Another role with a grid area, or a malformed grid area, has no grid.
        assert_eq!(Scope::new(9, VillageTeam, "141123100201/2").grid(), None);
        for bad in [
            "141123100201",
            "141123100201/0",
            "141123100201/x",
            "14112310020/1",
            "/1",
        ] {
            assert_eq!(Scope::new(9, GridMember, bad).grid(), None, "{bad}");
        }
        // Granted by the township and county admins, with the grid.
        let town = Scope::new(2, TownshipAdmin, "141123100");
        assert_eq!(
            town.grant(GridMember, " 141123100201/2 "),
            Ok("141123100201/2".into())
        );
        assert_eq!(town.grant(GridMember, "141123101201/1"), Err(G::Area));
        assert_eq!(town.grant(GridMember, "141123100201"), Err(G::AreaLevel));
        assert_eq!(town.grant(GridMember, "141123100000/1"), Err(G::AreaLevel));
        assert_eq!(
            Scope::new(1, CountyAdmin, "141123").grant(GridMember, "141123100201/1"),
            Ok("141123100201/1".into())
        );
        assert_eq!(
            Scope::new(3, VillageTeam, "141123100201").grant(GridMember, "141123100201/1"),
            Err(G::Role)
        );
        assert_eq!(town.manages(&member), Ok(()));
        assert_eq!(
            Scope::new(2, TownshipAdmin, "141123101").manages(&member),
            Err(G::NotManaged)
        );
    }

    #[test]
    fn only_the_county_admin_of_the_county_configures_it() {
        assert!(Scope::new(1, Role::CountyAdmin, "141123").may_configure("141123"));
        assert!(Scope::new(1, Role::CountyAdmin, "141123000000").may_configure("141123"));
        assert!(!Scope::new(1, Role::CountyAdmin, "141124").may_configure("141123"));
        assert!(!Scope::new(2, Role::TownshipAdmin, "141123100").may_configure("141123"));
        assert!(Role::TownshipAdmin.may_read_county_rules());
        assert!(!Role::VillageTeam.may_read_county_rules());
    }
}
