//! Texts of the case step forms (`st.…` keys).

/// The `st.…` texts for [`super::Lang::t`].
pub fn text(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "st.ident" => ("识别办理", "Identification step"),
        "st.exit" => ("退出办理", "Exit step"),
        "st.measure" => ("措施落实", "Measure progress"),
        "st.none" => (
            "当前没有您可办理的步骤",
            "There is no step for you to take now",
        ),
        "st.on" => ("办理日期", "Date"),
        "st.visit_on" => ("核查日期", "Visit date"),
        "st.visitors" => ("核查人员（用顿号分隔）", "Visitors (separated by 、)"),
        "st.findings" => ("核查情况", "Findings"),
        "st.two" => ("两不愁", "Food and clothing"),
        "st.food" => ("不愁吃", "Food secure"),
        "st.clothing" => ("不愁穿", "Clothing secure"),
        "st.three" => ("三保障问题", "Guarantee problems"),
        "st.housing" => ("住房安全等级", "Housing safety grade"),
        "st.housing.none" => ("未鉴定", "Not assessed"),
        "st.water" => ("饮水安全", "Drinking water"),
        "st.w.quantity" => ("水量达标", "Quantity"),
        "st.w.quality" => ("水质达标", "Quality"),
        "st.w.convenience" => ("用水方便", "Convenience"),
        "st.w.reliability" => ("供水有保障", "Reliability"),
        "st.income" => ("收入测算（元，可不填）", "Income estimate (yuan, optional)"),
        "st.income.req" => ("收入测算（元）", "Income estimate (yuan)"),
        "st.year" => ("年度", "Year"),
        "st.members" => ("家庭人口", "Members"),
        "st.auth" => ("承诺授权", "Consent and authorisation"),
        "st.auth_by" => ("授权人", "Authorised by"),
        "st.auth_on" => ("授权日期", "Date"),
        "st.auth_file" => ("授权书扫描件", "Signed authorisation (scan)"),
        "st.sign" => ("农户签字", "Household signature"),
        "st.signed" => ("已签字", "Signed"),
        "st.unsigned" => ("未签字", "Not signed"),
        "st.signed_by" => ("签字人", "Signed by"),
        "st.unsigned_reason" => ("未签字原因", "Reason"),
        "st.photos" => ("入户照片", "Photos"),
        "st.uploaded" => ("已上传", "Uploaded"),
        "st.result" => ("结果", "Result"),
        "st.pass" => ("通过", "Pass"),
        "st.fail" => ("不通过", "Fail"),
        "st.opinion" => ("意见（不通过时必填）", "Opinion (required when failed)"),
        "st.go" => ("提交", "Submit"),
        "st.checked_with" => ("比对部门", "Compared with"),
        "st.discrepancies" => ("比对发现的问题（无则不填）", "Discrepancies (if any)"),
        "st.held_on" => ("会议日期", "Meeting date"),
        "st.attendance" => ("参会人数", "Attendance"),
        "st.minutes" => ("会议记录摘要", "Minutes"),
        "st.place" => ("公示地点", "Place"),
        "st.posted_on" => ("公示日期", "Posted on"),
        "st.days" => ("公示期（天）", "Notice period (days)"),
        "st.closes_on" => ("公示期满日期", "Period ends"),
        "st.objections" => (
            "收到的异议（每行一条，无则不填）",
            "Objections (one a line)",
        ),
        "st.green" => ("绿色通道", "Green channel"),
        "st.green.note" => (
            "突发严重困难的，先行帮扶，再履行认定程序",
            "For sudden severe hardship: assist first, complete the procedure after",
        ),
        "st.green.open" => ("已开通绿色通道", "The green channel is open"),
        "st.reason" => ("原因", "Reason"),
        "st.nominate.note" => (
            "按风险消除条件预判（收入稳定、刚性支出、两不愁三保障、纳入监测满期、开发式帮扶）",
            "Pre-judged against the risk-elimination conditions",
        ),
        "st.measures_delivered" => ("帮扶措施精准落实", "Measures delivered"),
        "st.industry_ok" => ("家庭产业就业稳定", "Industry and employment stable"),
        "st.industry" => ("产业就业情况", "Industry and employment"),
        "st.mode" => ("风险消除方式", "Elimination mode"),
        "st.notice.note" => (
            "签发后生成带文号的退出告知书，可打印",
            "Issues the numbered written notice, ready to print",
        ),
        "st.withdraw" => ("终止退出程序", "Withdraw the exit"),
        "st.start" => ("开始实施", "Start"),
        "st.note" => ("说明", "Note"),
        "st.complete" => ("完成", "Complete"),
        "st.description" => ("落实情况", "What was delivered"),
        "st.evidence" => (
            "佐证材料（照片、发放记录、合同等，至少一份）",
            "Evidence (photo, payment record, contract …; at least one)",
        ),
        "st.progress" => ("办理", "Record progress"),
        "st.measure_status" => ("措施状态", "Measure status"),
        "st.next" => ("下一步", "Next step"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_has_both_languages() {
        for key in ["st.ident", "st.photos", "st.withdraw", "st.evidence"] {
            let (zh, en) = text(key).expect(key);
            assert_ne!(zh, en);
        }
        assert!(text("st.nope").is_none());
    }
}
