//! `households::change` (户情变更) on both databases: every change accepted with its audit row, and refused
//! — a bad ID number, a second 户主, a stale version, another village, a role that may not — with nothing
//! written.

use chrono::NaiveDate;
use shouwang_app::households::{
    Change, ChangeRequest, Changed, HouseholdPatch, MemberPatch, MemberRef, NewMember, change,
};
use shouwang_app::{Caller, Error, Kind};
use shouwang_core::code_overrides::CodeOverride;
use shouwang_core::codes::{Dibao, HealthStatus, LabourSkill, Relation, SchoolStatus, Sex, Tekun};
use shouwang_core::household::changes::{JoinReason, LeaveReason};
use shouwang_core::idnum::make;
use shouwang_core::{IdNumber, Role, Scope};
use shouwang_store::entity::{former_members, members};
use shouwang_store::repo::audit::{self, AuditEntry, AuditFilter};
use shouwang_store::repo::households::{self as store, HouseholdDetail};
use shouwang_store::{Actor, Db, db_test, repo};

use sea_orm::{EntityTrait, PaginatorTrait};
use shouwang_store::testing::fixtures::{
    COUNTY, VILLAGE_A1, VILLAGE_A2, actor, audit_count, county_scope, household, seed_regions,
};

const H1: &str = "1411231002010001";
const H2: &str = "1411231002020001";

fn caller(role: Role, area: &str) -> Caller {
    Caller {
        user_id: 21,
        name: "村专班李四".to_owned(),
        scope: Scope::new(21, role, area),
    }
}

fn team() -> Caller {
    caller(Role::VillageTeam, VILLAGE_A1)
}

async fn seed(db: &Db) {
    seed_regions(db).await;
    store::create(db, &actor(), &household(H1, VILLAGE_A1, "张三", 11))
        .await
        .unwrap();
    store::create(db, &actor(), &household(H2, VILLAGE_A2, "郑十", 21))
        .await
        .unwrap();
}

async fn detail(db: &Db, number: &str) -> HouseholdDetail {
    store::get(db, &county_scope(), number)
        .await
        .unwrap()
        .unwrap()
}

/// Everything a refusal must leave as it was: both households, the member rows, former members, the log.
async fn snapshot(db: &Db) -> String {
    format!(
        "{:?} {:?} {} {} {}",
        detail(db, H1).await,
        detail(db, H2).await,
        members::Entity::find().count(db.conn()).await.unwrap(),
        former_members::Entity::find()
            .count(db.conn())
            .await
            .unwrap(),
        audit_count(db).await
    )
}

async fn last_audit(db: &Db) -> AuditEntry {
    audit::list(db, &county_scope(), &AuditFilter::default(), 1, 1)
        .await
        .unwrap()
        .items
        .remove(0)
}

async fn run(
    db: &Db,
    who: &Caller,
    number: &str,
    version: i64,
    c: Change,
) -> Result<Changed, Error> {
    change(
        db,
        who,
        ChangeRequest {
            household: number.to_owned(),
            version,
            change: c,
        },
    )
    .await
}

/// Asserts a refusal of `kind` (and `code`, when given) that wrote nothing; the error.
async fn refused(
    db: &Db,
    who: &Caller,
    number: &str,
    version: i64,
    c: Change,
    kind: Kind,
    code: Option<&str>,
) -> Error {
    let before = snapshot(db).await;
    let e = run(db, who, number, version, c.clone())
        .await
        .expect_err(&format!("{c:?} should be refused"));
    assert_eq!(e.kind, kind, "{c:?}: {e:?}");
    if let Some(code) = code {
        assert_eq!(e.code, code, "{e:?}");
    }
    assert!(!e.zh.is_empty() && !e.en.is_empty(), "{e:?}");
    assert_eq!(
        snapshot(db).await,
        before,
        "{c:?} was refused but wrote something"
    );
    e
}

fn baby(id: IdNumber) -> NewMember {
    NewMember {
        reason: JoinReason::Birth,
        on: None,
        id_number: id.to_string(),
        name: "张小宝".to_owned(),
        sex: None,
        relation: Relation::Grandson,
        labour: LabourSkill::None,
        health: vec![HealthStatus::Healthy],
        education: None,
        school: Some(SchoolStatus::PreschoolAge),
        political: None,
        has_medical_insurance: true,
        dibao: None,
        tekun: None,
        disability_grade: None,
    }
}

fn born(y: i32, m: u32, d: u32, seq: u16) -> IdNumber {
    make(141123, NaiveDate::from_ymd_opt(y, m, d).unwrap(), seq)
}

db_test!(
    fn a_birth_is_added_with_its_reason_and_bad_members_are_refused(db: Db) {
        seed(&db).await;
        let id = born(2024, 5, 6, 31);
        let add = |n: NewMember| Change::AddMember(n);

        // A bad ID number (check character), in both languages.
        let mut bad_id = baby(id);
        bad_id.id_number.replace_range(17.., "0");
        if bad_id.id_number == id.to_string() {
            bad_id.id_number.replace_range(17.., "1");
        }
        let e = refused(&db, &team(), H1, 1, add(bad_id), Kind::Invalid, None).await;
        assert!(
            e.zh.contains("身份证号") && e.en.contains("check character"),
            "{e:?}"
        );
        // A second 户主 (the whole-household rule).
        let mut head = baby(id);
        head.reason = JoinReason::Marriage;
        head.relation = Relation::Head;
        let e = refused(&db, &team(), H1, 1, add(head), Kind::Invalid, None).await;
        assert!(e.zh.contains("户主"), "{e:?}");
        // A newborn spouse; a sex against the ID number; a date in the future; a birth in the future.
        let mut spouse = baby(id);
        spouse.relation = Relation::Spouse;
        refused(&db, &team(), H1, 1, add(spouse), Kind::Invalid, None).await;
        let mut sex = baby(id);
        sex.sex = Some(if id.sex() == Sex::Male {
            Sex::Female
        } else {
            Sex::Male
        });
        refused(&db, &team(), H1, 1, add(sex), Kind::Invalid, None).await;
        let mut later = baby(id);
        later.on = Some(shouwang_app::today() + chrono::Duration::days(2));
        refused(&db, &team(), H1, 1, add(later), Kind::Invalid, None).await;
        let unborn = baby(born(2099, 1, 1, 32));
        refused(&db, &team(), H1, 1, add(unborn), Kind::Invalid, None).await;
        // A 残疾等级 outside 1–4; no 健康状况.
        let mut grade = baby(id);
        grade.disability_grade = Some(5);
        refused(&db, &team(), H1, 1, add(grade), Kind::Invalid, None).await;
        let mut no_health = baby(id);
        no_health.health.clear();
        refused(&db, &team(), H1, 1, add(no_health), Kind::Invalid, None).await;
        // An ID number registered in another household of the county.
        let taken = baby(detail(&db, H2).await.household.members[1].id_number);
        let mut taken = taken;
        taken.relation = Relation::DaughterInLaw;
        taken.reason = JoinReason::Marriage;
        taken.sex = None;
        refused(
            &db,
            &team(),
            H1,
            1,
            add(taken),
            Kind::Conflict,
            Some("conflict"),
        )
        .await;
        // A stale version; another village's household; roles that may not.
        refused(
            &db,
            &team(),
            H1,
            7,
            add(baby(id)),
            Kind::Conflict,
            Some("stale_version"),
        )
        .await;
        refused(
            &db,
            &team(),
            H2,
            1,
            add(baby(id)),
            Kind::NotFound,
            Some("not_found"),
        )
        .await;
        for role in [Role::Cadre, Role::Department, Role::Auditor] {
            let area = if role == Role::Cadre {
                VILLAGE_A1
            } else {
                COUNTY
            };
            refused(
                &db,
                &caller(role, area),
                H1,
                1,
                add(baby(id)),
                Kind::Forbidden,
                Some("role_not_allowed"),
            )
            .await;
        }

        // Accepted: the sex from the ID number, the defaults, the reason and the birth date audited.
        let n = audit_count(&db).await;
        let done = run(&db, &team(), H1, 1, add(baby(id))).await.unwrap();
        assert_eq!((done.version, done.written), (2, true));
        assert_eq!(done.member_version, Some(1));
        let d = detail(&db, H1).await;
        assert_eq!(d.household.members.len(), 3);
        let m = d.household.member(id).unwrap();
        assert_eq!(
            (m.sex, m.dibao, m.tekun),
            (id.sex(), Dibao::None, Tekun::None)
        );
        assert_eq!(done.member_id, Some(d.member_ids[2].to_string()));
        assert_eq!(audit_count(&db).await, n + 1);
        let e = last_audit(&db).await;
        assert_eq!((e.action.as_str(), e.entity.as_str()), ("create", "member"));
        assert_eq!(e.actor_name, "村专班李四");
        let after = e.after.unwrap();
        assert_eq!(
            (after["reason"].as_str(), after["on"].as_str()),
            (Some("birth"), Some("2024-05-06"))
        );
        // A township admin adds a bride to the household of another village of the township.
        let bride = NewMember {
            reason: JoinReason::Marriage,
            on: Some(NaiveDate::from_ymd_opt(2024, 10, 1).unwrap()),
            relation: Relation::DaughterInLaw,
            labour: LabourSkill::Ordinary,
            school: None,
            ..baby(born(1999, 8, 8, 42))
        };
        let town = caller(Role::TownshipAdmin, "141123100");
        assert_eq!(run(&db, &town, H2, 1, add(bride)).await.unwrap().version, 2);
    }
);

db_test!(
    fn a_member_changes_with_the_member_version(db: Db) {
        seed(&db).await;
        let d = detail(&db, H1).await;
        let spouse = MemberRef::Row(d.member_ids[1]);
        let set = |patch: MemberPatch| Change::UpdateMember {
            member: spouse,
            patch,
        };
        let dibao = MemberPatch {
            dibao: Some(Dibao::Rural),
            labour: Some(LabourSkill::Weak),
            health: Some(vec![HealthStatus::Chronic, HealthStatus::Disabled]),
            disability_grade: Some(Some(2)),
            has_medical_insurance: Some(false),
            ..MemberPatch::default()
        };
        // Refused: a stale member version, another village, the relation 户主, a blank name, grade 7.
        refused(
            &db,
            &team(),
            H1,
            3,
            set(dibao.clone()),
            Kind::Conflict,
            Some("stale_version"),
        )
        .await;
        let other = caller(Role::VillageTeam, VILLAGE_A2);
        refused(&db, &other, H1, 1, set(dibao.clone()), Kind::NotFound, None).await;
        let head = MemberPatch {
            relation: Some(Relation::Head),
            ..MemberPatch::default()
        };
        let e = refused(&db, &team(), H1, 1, set(head), Kind::Invalid, None).await;
        assert!(e.zh.contains("户主"), "{e:?}");
        let blank = MemberPatch {
            name: Some(" ".into()),
            ..MemberPatch::default()
        };
        refused(&db, &team(), H1, 1, set(blank), Kind::Invalid, None).await;
        let seven = MemberPatch {
            disability_grade: Some(Some(7)),
            ..MemberPatch::default()
        };
        refused(&db, &team(), H1, 1, set(seven), Kind::Invalid, None).await;
        // The head cannot stop being 户主 this way (the household would have none).
        let head_away = Change::UpdateMember {
            member: MemberRef::IdNumber(d.household.members[0].id_number),
            patch: MemberPatch {
                relation: Some(Relation::Father),
                ..MemberPatch::default()
            },
        };
        refused(&db, &team(), H1, 1, head_away, Kind::Invalid, None).await;
        // An unknown member.
        let nobody = Change::UpdateMember {
            member: MemberRef::Row(42),
            patch: dibao.clone(),
        };
        refused(&db, &team(), H1, 1, nobody, Kind::NotFound, None).await;

        // Accepted: 低保 granted, the member's version bumped, the household's not; audited.
        let done = run(&db, &team(), H1, 1, set(dibao)).await.unwrap();
        assert_eq!(
            (done.member_version, done.version, done.written),
            (Some(2), 1, true)
        );
        let m = detail(&db, H1).await.household.members[1].clone();
        assert_eq!(
            (m.dibao, m.labour, m.disability_grade),
            (Dibao::Rural, LabourSkill::Weak, Some(2))
        );
        assert!(!m.has_medical_insurance);
        let e = last_audit(&db).await;
        assert_eq!((e.action.as_str(), e.entity.as_str()), ("update", "member"));
        assert_eq!(e.before.unwrap()["dibao"], "none");
        assert_eq!(e.after.unwrap()["dibao"], "rural");
        // Sending the values already stored writes nothing (and still checks the version).
        let n = audit_count(&db).await;
        let same = MemberPatch {
            dibao: Some(Dibao::Rural),
            ..MemberPatch::default()
        };
        let done = run(&db, &team(), H1, 2, set(same.clone())).await.unwrap();
        assert!(!done.written);
        assert_eq!(audit_count(&db).await, n);
        refused(
            &db,
            &team(),
            H1,
            1,
            set(same),
            Kind::Conflict,
            Some("stale_version"),
        )
        .await;

        // A code the county disabled (停用) is refused as a new value; an existing one may stay.
        let county_admin = Scope::new(1, Role::CountyAdmin, COUNTY);
        repo::codes::set(
            &db,
            &Actor::new(1, "县管理员"),
            &county_admin,
            COUNTY,
            "dibao",
            "urban",
            &CodeOverride {
                label_zh: "城市低保".into(),
                label_en: None,
                disabled: true,
            },
            0,
        )
        .await
        .unwrap();
        let urban = MemberPatch {
            dibao: Some(Dibao::Urban),
            ..MemberPatch::default()
        };
        let e = refused(&db, &team(), H1, 2, set(urban), Kind::Invalid, None).await;
        assert!(e.zh.contains("停用"), "{e:?}");
        // 离校: 在校生状况 cleared.
        let school = MemberPatch {
            school: Some(None),
            ..MemberPatch::default()
        };
        run(&db, &team(), H1, 2, set(school.clone())).await.unwrap();
        assert_eq!(detail(&db, H1).await.household.members[1].school, None);
    }
);

db_test!(
    fn a_death_keeps_the_member_as_former_and_the_head_changes(db: Db) {
        seed(&db).await;
        let d = detail(&db, H1).await;
        let (head, spouse) = (
            d.household.members[0].clone(),
            d.household.members[1].clone(),
        );
        let leave = |m: IdNumber, reason, on| Change::Leave {
            member: MemberRef::IdNumber(m),
            reason,
            on,
        };
        let day = |y, m, d| Some(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        // Refused: the head (change the head first), a future date, before the birth, stale, elsewhere.
        let e = refused(
            &db,
            &team(),
            H1,
            1,
            leave(head.id_number, LeaveReason::Death, day(2024, 3, 1)),
            Kind::Invalid,
            None,
        )
        .await;
        assert!(e.zh.contains("先变更户主"), "{e:?}");
        let tomorrow = Some(shouwang_app::today() + chrono::Duration::days(1));
        for (on, kind) in [(tomorrow, Kind::Invalid), (day(1960, 1, 1), Kind::Invalid)] {
            refused(
                &db,
                &team(),
                H1,
                1,
                leave(spouse.id_number, LeaveReason::Death, on),
                kind,
                None,
            )
            .await;
        }
        refused(
            &db,
            &team(),
            H1,
            2,
            leave(spouse.id_number, LeaveReason::Death, day(2024, 3, 1)),
            Kind::Conflict,
            Some("stale_version"),
        )
        .await;
        refused(
            &db,
            &caller(Role::VillageTeam, VILLAGE_A2),
            H1,
            1,
            leave(spouse.id_number, LeaveReason::Death, day(2024, 3, 1)),
            Kind::NotFound,
            None,
        )
        .await;

        // 变更户主: the head dies; first the spouse becomes the head, the former head her spouse.
        let to_spouse = Change::ChangeHead {
            member: MemberRef::Row(d.member_ids[1]),
            former_head_becomes: Relation::Spouse,
        };
        refused(
            &db,
            &team(),
            H1,
            2,
            to_spouse.clone(),
            Kind::Conflict,
            Some("stale_version"),
        )
        .await;
        let same_head = Change::ChangeHead {
            member: MemberRef::Row(d.member_ids[0]),
            former_head_becomes: Relation::Spouse,
        };
        refused(&db, &team(), H1, 1, same_head, Kind::Invalid, None).await;
        let done = run(&db, &team(), H1, 1, to_spouse).await.unwrap();
        assert_eq!(done.version, 2);
        let e = last_audit(&db).await;
        assert_eq!(
            (e.action.as_str(), e.entity.as_str()),
            ("change_head", "household")
        );
        let now = detail(&db, H1).await;
        assert_eq!(now.household.head().unwrap().id_number, spouse.id_number);

        // Then he is recorded as dead: kept as a former member, out of the household's size.
        let done = run(
            &db,
            &team(),
            H1,
            2,
            leave(head.id_number, LeaveReason::Death, day(2024, 3, 1)),
        )
        .await
        .unwrap();
        assert_eq!((done.version, done.member_id.as_deref()), (3, None));
        let now = detail(&db, H1).await;
        assert_eq!(now.household.members.len(), 1);
        assert_eq!(now.former_members.len(), 1);
        let f = &now.former_members[0];
        assert_eq!(
            (f.member.name.as_str(), f.reason),
            ("张三", LeaveReason::Death)
        );
        assert_eq!(
            f.member.relation,
            Relation::Spouse,
            "as he was when he left"
        );
        let e = last_audit(&db).await;
        assert_eq!((e.action.as_str(), e.entity.as_str()), ("depart", "member"));
        let row = shouwang_store::repo::households::search(
            &db,
            &county_scope(),
            &store::HouseholdQuery {
                q: Some(H1.to_owned()),
                ..Default::default()
            },
            1,
            1,
        )
        .await
        .unwrap();
        assert_eq!(row.items[0].size, 1);
        assert_eq!(row.items[0].head_name, "张三妻");
        // The last member cannot leave.
        refused(
            &db,
            &team(),
            H1,
            3,
            leave(spouse.id_number, LeaveReason::MovedOut, None),
            Kind::Invalid,
            None,
        )
        .await;
    }
);

db_test!(
    fn the_household_fields_change(db: Db) {
        seed(&db).await;
        let patch = |p: HouseholdPatch| Change::UpdateHousehold(p);
        let moved = HouseholdPatch {
            is_relocated: Some(true),
            address: Some(" 蔚汾镇安置点 3 栋 201 ".into()),
            phone: Some("0358-6012345".into()),
        };
        refused(
            &db,
            &team(),
            H1,
            4,
            patch(moved.clone()),
            Kind::Conflict,
            Some("stale_version"),
        )
        .await;
        refused(
            &db,
            &team(),
            H2,
            1,
            patch(moved.clone()),
            Kind::NotFound,
            None,
        )
        .await;
        refused(
            &db,
            &caller(Role::Department, COUNTY),
            H1,
            1,
            patch(moved.clone()),
            Kind::Forbidden,
            None,
        )
        .await;
        for bad in [
            HouseholdPatch {
                phone: Some("call me".into()),
                ..HouseholdPatch::default()
            },
            HouseholdPatch {
                address: Some("  ".into()),
                ..HouseholdPatch::default()
            },
        ] {
            refused(&db, &team(), H1, 1, patch(bad), Kind::Invalid, None).await;
        }
        let done = run(&db, &team(), H1, 1, patch(moved.clone()))
            .await
            .unwrap();
        assert_eq!((done.version, done.written), (2, true));
        let h = detail(&db, H1).await.household;
        assert!(h.is_relocated);
        assert_eq!(h.address, "蔚汾镇安置点 3 栋 201");
        assert_eq!(h.phone.as_deref(), Some("0358-6012345"));
        let e = last_audit(&db).await;
        assert_eq!(
            (e.action.as_str(), e.entity.as_str()),
            ("update", "household")
        );
        assert_eq!(e.after.unwrap()["is_relocated"], true);
        // The same values again: nothing written; a blank phone clears it.
        let n = audit_count(&db).await;
        assert!(
            !run(&db, &team(), H1, 2, patch(moved))
                .await
                .unwrap()
                .written
        );
        assert_eq!(audit_count(&db).await, n);
        let clear = HouseholdPatch {
            phone: Some(String::new()),
            ..HouseholdPatch::default()
        };
        run(&db, &team(), H1, 2, patch(clear)).await.unwrap();
        assert_eq!(detail(&db, H1).await.household.phone, None);
    }
);
