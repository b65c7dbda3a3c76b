//! Members moving between households of the same file (迁入他户), or registered elsewhere (a conflict).

use std::collections::HashMap;

use shouwang_core::registry::{Col, Problem};

use super::{Item, reason};

/// Members registered in another household: a move if that household is in the file (accepted) and
/// no longer lists them; otherwise a conflict. Repeated until no more households are rejected.
pub(super) fn resolve_moves(
    items: &mut [Item],
    registered: &HashMap<(String, String), (i64, String)>,
) {
    loop {
        let in_file: HashMap<(String, String), usize> = items
            .iter()
            .enumerate()
            .filter(|(_, it)| !it.rejected())
            .map(|(i, it)| ((it.county.clone(), it.entry.household.number.clone()), i))
            .collect();
        let mut newly: Vec<(usize, Problem)> = Vec::new();
        for (i, it) in items.iter().enumerate() {
            if it.rejected() {
                continue;
            }
            let own = it.existing.as_ref().map(|h| h.id);
            for (mi, m) in it.entry.household.members.iter().enumerate() {
                let key = (it.county.clone(), m.id_number.to_string());
                let Some((hid, number)) = registered.get(&key) else {
                    continue;
                };
                if Some(*hid) == own {
                    continue;
                }
                let moving = in_file
                    .get(&(it.county.clone(), number.clone()))
                    .is_some_and(|&j| {
                        items[j]
                            .entry
                            .household
                            .members
                            .iter()
                            .all(|x| x.id_number != m.id_number)
                    });
                if !moving {
                    newly.push((
                        i,
                        it.entry.member_problem(
                            mi,
                            Col::IdNumber,
                            &m.id_number.to_string(),
                            reason(
                                format!(
                                    "此人已登记在户编号 {number} 中：如确已迁入本户，请在同一文件中一并导入户 {number}（不再列此人），或先在系统中从原户删除"
                                ),
                                format!(
                                    "this person is registered in household {number}; import that household in the same file without them, or remove them there first"
                                ),
                            ),
                        ),
                    ));
                    break;
                }
            }
        }
        if newly.is_empty() {
            break;
        }
        for (i, p) in newly {
            items[i].problems.push(p);
        }
    }
}
