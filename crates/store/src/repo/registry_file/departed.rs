//! Former members in an older file (原家庭成员): a member recorded as dead or moved out of a household
//! (减员, table `former_members`) whom a re-imported file still lists in that household is not added back.
//! His row is refused with a problem at its row (column 身份证号, the reason with the date and the reason
//! he left); the rest of the household is imported when it still keeps the registry's rules (exactly one
//! 户主 …: `check_household` runs on what is left, and rejects the household otherwise). A person who
//! joined the household again since (新增成员: a member of it now) is matched as usual.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use shouwang_core::CodeList;
use shouwang_core::household::changes::LeaveReason;
use shouwang_core::registry::Col;

use super::importer::Importer;
use super::{IN_CHUNK, Item, reason};
use crate::crypto::sealed::FORMER_ID;
use crate::entity::former_members;
use crate::error::Result;

impl Importer {
    /// Drops from the file's existing households the members who left them (see the module doc), each
    /// with a problem in the item's `refused_members`. `registered`: where each ID number is a member now
    /// ([`Importer::lookup`]).
    pub(super) async fn drop_departed(
        &self,
        items: &mut [Item],
        registered: &HashMap<(String, String), (i64, String)>,
    ) -> Result<()> {
        let mut by_county: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
        for it in items.iter().filter(|it| !it.rejected()) {
            if let Some(h) = &it.existing {
                by_county.entry(&h.county_code).or_default().push(h.id);
            }
        }
        // (county, household id, ID number) → the latest departure: date and reason.
        let mut left: HashMap<(String, i64, String), (String, String)> = HashMap::new();
        for (county, ids) in by_county {
            for chunk in ids.chunks(IN_CHUNK) {
                for f in former_members::Entity::find()
                    .filter(former_members::Column::CountyCode.eq(county))
                    .filter(former_members::Column::HouseholdId.is_in(chunk.to_vec()))
                    .all(&self.tx)
                    .await?
                {
                    let id_number = self
                        .db
                        .keys()
                        .open(&f.id_number, FORMER_ID, f.key_version)?;
                    let key = (f.county_code, f.household_id, id_number);
                    match left.get(&key) {
                        Some((on, _)) if *on >= f.left_on => {}
                        _ => {
                            left.insert(key, (f.left_on, f.reason));
                        }
                    }
                }
            }
        }
        if left.is_empty() {
            return Ok(());
        }
        for it in items.iter_mut().filter(|it| !it.rejected()) {
            let Some(h) = &it.existing else {
                continue;
            };
            let (county, id) = (h.county_code.clone(), h.id);
            let mut gone: Vec<usize> = Vec::new();
            for (mi, m) in it.entry.household.members.iter().enumerate() {
                let number = m.id_number.to_string();
                let here_now = registered
                    .get(&(county.clone(), number.clone()))
                    .is_some_and(|(hid, _)| *hid == id);
                if here_now {
                    continue;
                }
                let Some((on, why)) = left.get(&(county.clone(), id, number.clone())) else {
                    continue;
                };
                let (zh, en) = match LeaveReason::from_code(why) {
                    Some(LeaveReason::Death) => (LeaveReason::Death.label_zh(), "dead"),
                    Some(LeaveReason::MovedOut) => (LeaveReason::MovedOut.label_zh(), "moved out"),
                    None => (why.as_str(), why.as_str()),
                };
                it.refused_members.push(it.entry.member_problem(
                    mi,
                    Col::IdNumber,
                    &number,
                    reason(
                        format!(
                            "该成员已于{on}标记为{zh}，不再导入；如需恢复请在农户页面添加成员"
                        ),
                        format!(
                            "this member was recorded as {en} on {on} and is not imported again; to restore them, add the member on the household page"
                        ),
                    ),
                ));
                gone.push(mi);
            }
            for mi in gone.into_iter().rev() {
                it.entry.household.members.remove(mi);
                if mi < it.entry.member_rows.len() {
                    it.entry.member_rows.remove(mi);
                }
            }
        }
        Ok(())
    }
}
