//! Texts of the household-change forms (户情变更, `hc.…` keys).

/// The `hc.…` texts for [`super::Lang::t`].
pub fn text(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "hc.title" => ("户情变更", "Household changes"),
        "hc.add" => ("新增成员", "Add a member"),
        "hc.edit" => ("修改成员信息", "Change a member"),
        "hc.edit.link" => ("修改", "Change"),
        "hc.leave" => ("减员（死亡、迁出）", "Member left (death, moving out)"),
        "hc.leave.link" => ("减员", "Left"),
        "hc.head" => ("变更户主", "Change the head"),
        "hc.household" => ("修改户信息", "Change the household"),
        "hc.former" => ("原家庭成员", "Former members"),
        "hc.former.note" => (
            "已死亡或迁出的成员保留在此，不计入家庭人口。",
            "Members who died or moved out are kept here; they no longer count as members.",
        ),
        "hc.reason" => ("减员原因", "Reason"),
        "hc.left_on" => ("减员日期", "Date"),
        "hc.join_reason" => ("增加原因", "Reason"),
        "hc.join_on" => (
            "增加日期（出生可不填，按身份证号）",
            "Date (for a birth, leave blank: the ID number's)",
        ),
        "hc.sex_auto" => ("按身份证号", "From the ID number"),
        "hc.none" => ("无", "None"),
        "hc.blank" => ("—", "—"),
        "hc.not_school" => ("非在校生", "Not in school"),
        "hc.disability" => ("残疾等级", "Disability grade"),
        "hc.political" => ("政治面貌", "Political status"),
        "hc.tekun" => ("特困", "Extreme-poverty support"),
        "hc.phone" => ("联系电话", "Phone"),
        "hc.relocated" => ("易地扶贫搬迁户", "Relocated household (易地扶贫搬迁)"),
        "hc.save" => ("保存", "Save"),
        "hc.add.go" => ("登记新增成员", "Add the member"),
        "hc.leave.go" => ("登记减员", "Record the departure"),
        "hc.head.go" => ("变更户主", "Change the head"),
        "hc.current_head" => ("现户主", "Current head"),
        "hc.new_head" => ("新户主", "New head"),
        "hc.former_becomes" => ("原户主改为", "The former head becomes"),
        "hc.no_candidates" => (
            "该户没有其他成员，不能变更户主",
            "The household has no other member to be the head",
        ),
        "hc.head.note" => (
            "户主不能直接减员：户主死亡或迁出时，先由其他成员任户主，再登记减员。",
            "The head cannot leave as such: make another member the head first, then record the departure.",
        ),
        "hc.leave.note" => (
            "减员后该成员保留为“原家庭成员”，不再计入家庭人口、筛查和台账。",
            "The member is kept as a former member and no longer counts in the household size, screening and ledgers.",
        ),
        "hc.reload" => (
            "重新打开表单（显示最新信息）",
            "Open the form again (latest data)",
        ),
        "hc.member" => ("成员", "Member"),
        "hc.version" => ("版本", "Version"),
        "hc.done.member_added" => ("已登记新增成员。", "The member was added."),
        "hc.done.member_updated" => ("已保存成员信息。", "The member was changed."),
        "hc.done.member_left" => ("已登记减员。", "The departure was recorded."),
        "hc.done.head_changed" => ("已变更户主。", "The head was changed."),
        "hc.done.household_updated" => ("已保存户信息。", "The household was changed."),
        "hc.done.unchanged" => ("没有需要保存的修改。", "Nothing to change."),
        _ => return None,
    })
}
