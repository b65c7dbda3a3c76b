//! One i18n layer for every string on a page (界面文字): Chinese first, English by switch.
//!
//! The language comes from the `sw_lang` cookie (set by the switch in the page
//! header), then from `Accept-Language`, and defaults to Chinese.

pub mod changes;
pub mod rules;
pub mod steps;

use axum::http::HeaderMap;

/// Name of the language cookie (`zh` or `en`), set by `/lang` (`auth::Cookies::set_lang`).
pub const LANG_COOKIE: &str = "sw_lang";

/// The page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// 中文 (default).
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Picks the language from the cookie, then `Accept-Language`.
    pub fn from_headers(headers: &HeaderMap) -> Lang {
        if let Some(v) = crate::http::cookie::cookie(headers, LANG_COOKIE) {
            return if v == "en" { Lang::En } else { Lang::Zh };
        }
        let accept = headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        // First listed language wins; anything that is not English is Chinese.
        match accept.split(',').next().map(str::trim) {
            Some(first) if first.to_ascii_lowercase().starts_with("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    /// The `lang` attribute of the page.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Picks the Chinese or the English text.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// Translates a message key; unknown keys come back as themselves.
    pub fn t(self, key: &str) -> &'static str {
        let (zh, en) = match key {
            "app.name" => (
                "守望 · 防止返贫动态监测和帮扶",
                "Shouwang · return-to-poverty monitoring",
            ),
            "app.short" => ("守望", "Shouwang"),
            "nav.households" => ("农户信息", "Households"),
            "nav.logout" => ("退出登录", "Log out"),
            "nav.switch" => ("English", "中文"),
            "login.title" => ("登录", "Log in"),
            "login.username" => ("用户名", "User name"),
            "login.password" => ("密码", "Password"),
            "login.submit" => ("登录", "Log in"),
            "login.failed" => ("用户名或密码错误", "Wrong user name or password"),
            "login.expired" => (
                "页面已过期，请重新登录",
                "The page expired; please log in again",
            ),
            "hh.title" => ("农户信息查询", "Household registry"),
            "hh.search" => (
                "姓氏或完整姓名、身份证号或户编号",
                "Surname or full name, ID number or household number",
            ),
            "hh.search.hint" => (
                "姓名加密存储：按姓氏（如 王、欧阳）或完整姓名查询，不支持只输入姓名的前几个字",
                "Names are stored encrypted: search by surname (王, 欧阳) or by the full name; the first \
                 characters of a name alone find nothing",
            ),
            "hh.search.go" => ("查询", "Search"),
            "hh.all_villages" => ("全部村", "All villages"),
            "hh.number" => ("户编号", "Household no."),
            "hh.head" => ("户主", "Head"),
            "hh.head_id" => ("户主身份证号", "Head's ID number"),
            "hh.village" => ("村", "Village"),
            "hh.size" => ("人口", "Members"),
            "hh.type" => ("户类型", "Type"),
            "hh.monitored" => ("监测对象类别", "Monitored as"),
            "hh.none" => ("没有符合条件的农户", "No household matches"),
            "hh.total" => ("共", "Total"),
            "hh.unit" => ("户", "households"),
            "hh.prev" => ("上一页", "Previous"),
            "hh.next" => ("下一页", "Next"),
            "hh.page" => ("页", "page"),
            "hh.address" => ("住址", "Address"),
            "hh.natural_village" => ("自然村", "Natural village"),
            "hh.relocated" => ("易地扶贫搬迁户", "Relocated household"),
            "hh.risks" => ("风险类型", "Risks"),
            "hh.members" => ("家庭成员", "Members"),
            "m.name" => ("姓名", "Name"),
            "m.relation" => ("与户主关系", "Relation"),
            "m.id" => ("身份证号", "ID number"),
            "m.sex" => ("性别", "Sex"),
            "m.age" => ("年龄", "Age"),
            "m.labour" => ("劳动技能", "Labour"),
            "m.health" => ("健康状况", "Health"),
            "m.education" => ("文化程度", "Education"),
            "m.school" => ("在校生状况", "Schooling"),
            "m.insured" => ("基本医保", "Medical insurance"),
            "m.dibao" => ("低保", "Dibao"),
            "yes" => ("是", "yes"),
            "no" => ("否", "no"),
            "inc.title" => ("家庭收支情况（按年度）", "Income by year"),
            "inc.year" => ("年度", "Year"),
            "inc.wage" => ("工资性收入", "Wages"),
            "inc.business" => ("生产经营性收入", "Business"),
            "inc.property" => ("财产性收入", "Property"),
            "inc.transfer" => ("转移性收入", "Transfers"),
            "inc.cost" => ("生产经营性支出", "Production costs"),
            "inc.net" => ("家庭纯收入", "Net income"),
            "inc.per_capita" => ("人均纯收入", "Per capita"),
            "inc.line" => ("监测线", "Line"),
            "inc.status" => ("监测状态", "Status"),
            "inc.drop" => ("收入明显下降", "Clear drop"),
            "inc.none" => ("暂无收入记录", "No income record"),
            "inc.counts" => ("计入", "Counts"),
            "inc.not_counted" => ("不计入", "Not counted"),
            "home.set_line" => ("去设置", "Set it"),
            "inc.enter" => ("录入收支测算", "Enter a year's income"),
            "inc.done" => ("收支测算已保存。", "The income record was saved."),
            "incf.title" => ("收支测算", "Yearly income"),
            "incf.back" => ("返回农户", "Back to household"),
            "incf.source" => ("数据来源", "Source"),
            "incf.after_rigid" => ("扣除刚性支出后人均", "Per capita after rigid costs"),
            "incf.no_line" => ("未设置当年监测线", "No line set for that year"),
            "incf.rigid_below" => ("刚性支出后低于监测线", "Below the line after rigid costs"),
            "incf.edit" => ("修改", "Correct"),
            "incf.add" => ("录入", "Enter"),
            "incf.correct" => ("修改", "Correct"),
            "incf.record" => ("年度收支（元）", "Income of the year (yuan)"),
            "incf.line_of_year" => ("当年监测线", "Line of the year"),
            "incf.will_file" => (
                "保存后将按收支测算比对登记风险线索（每户每年一次）。",
                "Saving files a risk clue from the income review (once per household and year).",
            ),
            "incf.hint" => (
                "金额以元为单位，可带两位小数；空白按 0 计。先点“测算”查看人均纯收入和监测线，再保存。",
                "Amounts in yuan, up to 2 decimals; blank counts as 0. Press Compute to see the per-capita income and the line, then save.",
            ),
            "incf.preview" => ("测算", "Compute"),
            "incf.save" => ("保存", "Save"),
            "unit.yuan" => ("元", "yuan"),
            "err.not_found" => (
                "未找到，或不在您的管辖范围内",
                "Not found, or outside your area",
            ),
            "err.forbidden" => ("无权进行此操作", "You may not do this"),
            "err.bad_request" => ("请求有误", "Bad request"),
            "err.internal" => (
                "系统内部错误，请稍后再试",
                "Internal error; please try again later",
            ),
            "err.back" => ("返回首页", "Back to the start"),
            "nav.home" => ("工作台", "Home"),
            "nav.users" => ("用户管理", "Users"),
            "nav.audit" => ("审计日志", "Audit log"),
            "nav.password" => ("修改密码", "Password"),
            "nav.expires" => ("登录有效至", "Session until"),
            "login.session_expired" => (
                "登录已过期，请重新登录",
                "Your session has ended; please log in again",
            ),
            "login.password_changed" => (
                "密码已修改，请用新密码登录",
                "Password changed; log in with the new password",
            ),
            "pw.title" => ("修改密码", "Change password"),
            "pw.old" => ("原密码", "Current password"),
            "pw.new" => ("新密码", "New password"),
            "pw.repeat" => ("再次输入新密码", "New password again"),
            "pw.hint" => (
                "至少 8 个字符。修改后需重新登录。",
                "At least 8 characters. You will log in again afterwards.",
            ),
            "pw.go" => ("确认修改", "Change password"),
            "pw.err.repeat" => ("两次输入的新密码不一致", "The two new passwords differ"),
            "pw.err.same" => (
                "新密码不能与原密码相同",
                "The new password must differ from the current one",
            ),
            "pw.err.old" => ("原密码不正确", "The current password is wrong"),
            "users.title" => ("用户管理", "Users, roles and areas"),
            "users.name" => ("姓名", "Name"),
            "users.role" => ("角色", "Role"),
            "users.area" => ("管辖区域", "Area"),
            "users.area.hint" => (
                "县级管理员、部门数据员、审计监督选县；乡镇管理员选乡镇；村级工作专班、帮扶责任人选村。",
                "County admin, department and auditor: the county; township admin: a township; village team and cadre: a village.",
            ),
            "users.state" => ("状态", "State"),
            "users.actions" => ("操作", "Actions"),
            "users.active" => ("正常", "Active"),
            "users.inactive" => ("已停用", "Deactivated"),
            "users.deactivate" => ("停用", "Deactivate"),
            "users.activate" => ("启用", "Reactivate"),
            "users.reset" => ("重置密码", "Reset password"),
            "users.reset.go" => ("设置新密码", "Set password"),
            "users.add" => ("新增用户", "Add a user"),
            "users.add.go" => ("新增", "Add"),
            "users.done.added" => ("已新增用户", "User added"),
            "users.done.active" => ("已更新用户状态", "User state changed"),
            "users.done.password" => (
                "已重置密码，该用户需用新密码重新登录",
                "Password reset; the user logs in again with it",
            ),
            "users.err.role" => ("您不能授予该角色", "You may not grant this role"),
            "users.err.area" => ("管辖区域超出您的范围", "The area is outside yours"),
            "users.err.self" => (
                "不能停用自己的账号",
                "You cannot deactivate your own account",
            ),
            "audit.title" => ("审计日志", "Audit log"),
            "audit.entity" => ("对象", "Record"),
            "audit.action" => ("操作", "Action"),
            "audit.actor" => ("操作人", "User"),
            "audit.key" => ("记录编号", "Record key"),
            "audit.since" => ("起始日期", "From"),
            "audit.until" => ("截止日期", "To"),
            "audit.at" => ("时间", "Time"),
            "audit.before" => ("修改前", "Before"),
            "audit.after" => ("修改后", "After"),
            "audit.unit" => ("条", "entries"),
            "audit.tz" => (
                "北京时间；身份证号已隐藏",
                "Beijing time; ID numbers masked",
            ),
            "audit.none" => ("没有符合条件的记录", "No entry matches"),
            "audit.household" => ("农户", "Household"),
            "audit.member" => ("家庭成员", "Member"),
            "audit.income_record" => ("收入记录", "Income record"),
            "audit.income_other_source" => (
                "其他来源收支（不计入）",
                "Income of another source (not counted)",
            ),
            "audit.case" => ("监测帮扶档案", "Monitoring case"),
            "audit.user" => ("用户", "User"),
            "audit.session" => ("登录会话", "Session"),
            "audit.monitoring_line" => ("监测线", "Monitoring line"),
            "audit.region" => ("行政区划", "Region"),
            "audit.create" => ("新增", "Create"),
            "audit.update" => ("修改", "Update"),
            "audit.delete" => ("删除", "Delete"),
            "audit.read_full_id" => ("查看完整身份证号", "View full ID numbers"),
            "audit.read_full_phone" => ("查看完整联系电话", "View full phone numbers"),
            "audit.login" => ("登录", "Log in"),
            "audit.logout" => ("退出登录", "Log out"),
            "audit.set_password" => ("设置密码", "Set password"),
            "audit.purge_expired" => ("清理过期会话", "Purge expired sessions"),
            "filter.title" => ("筛选", "Filters"),
            "filter.all" => ("全部", "All"),
            "filter.go" => ("筛选", "Apply"),
            "filter.reset" => ("清除", "Clear"),
            "hh.status" => ("监测状态", "Status"),
            "hh.status.none" => ("无档案", "No case"),
            "hh.reveal" => ("显示完整身份证号", "Show full ID numbers"),
            "hh.reveal.note" => ("查看将记入审计日志", "The view is written to the audit log"),
            "hh.revealed" => (
                "完整身份证号已显示，本次查看已记入审计日志",
                "Full ID numbers shown; this view is in the audit log",
            ),
            "case.title" => ("监测帮扶档案", "Monitoring case"),
            "case.none" => (
                "该户暂无监测帮扶档案",
                "No monitoring case for this household",
            ),
            "case.opened" => ("建档日期", "Opened"),
            "case.ident" => ("识别", "Identification"),
            "case.next" => ("下一步", "Next step"),
            "case.since" => ("纳入监测日期", "Monitored since"),
            "case.cadre" => ("帮扶责任人", "Responsible cadre"),
            "case.followups" => ("已跟踪月份", "Months followed up"),
            "case.exit" => ("退出", "Exit"),
            "case.exit.next" => ("退出程序下一步", "Next exit step"),
            "case.clues" => ("风险线索", "Risk clues"),
            "case.channel" => ("监测手段", "Channel"),
            "case.source" => ("来源", "Source"),
            "case.reported" => ("发现日期", "Reported"),
            "case.reporter" => ("报告人", "Reporter"),
            "case.measures" => ("帮扶措施", "Assistance measures"),
            "case.class" => ("措施类别", "Class"),
            "case.item" => ("具体措施", "Measure"),
            "case.planned" => ("计划完成日期", "Planned by"),
            "case.unit" => ("责任单位", "Responsible unit"),
            "home.title" => ("工作台", "Home"),
            "home.tasks" => ("我的任务", "My tasks"),
            "home.task" => ("任务", "Task"),
            "home.period" => ("期间", "Period"),
            "home.due" => ("截止日期", "Due"),
            "home.overdue" => ("逾期事项", "Overdue"),
            "home.overdue.none" => ("暂无逾期事项", "Nothing overdue"),
            "home.overdue.followups" => ("逐月跟踪监测逾期", "Monthly follow-ups overdue"),
            "home.overdue.idents" => ("识别超过办理时限", "Identifications past their time limit"),
            "home.last_followup" => ("最近跟踪月份", "Last follow-up"),
            "home.clues" => ("待处理线索", "Clues waiting"),
            "home.count" => ("户数", "Households"),
            "home.oldest" => ("最早发现日期", "Oldest report"),
            "home.approvals" => ("待我办理", "Waiting for me"),
            "home.needs_cadre" => ("待明确帮扶责任人", "Households without a responsible cadre"),
            "home.mine" => ("我的帮扶户", "My households"),
            "home.mine.none" => ("暂无分配给您的帮扶户", "No household is assigned to you"),
            "home.villages_done" => ("个村已完成", "villages done"),
            "home.outstanding" => ("户未完成", "households outstanding"),
            "home.more" => ("共", "of"),
            "clue.title" => ("登记线索", "Record a clue"),
            "clue.applicant" => ("申请人", "Applicant"),
            "clue.means" => ("申请方式", "How applied"),
            "clue.cause" => ("申请理由（返贫风险原因）", "Stated cause"),
            "clue.petition" => ("信访件编号", "Petition number"),
            "clue.round" => ("排查批次", "Screening round"),
            "clue.go" => ("登记", "Record"),
            "case.done" => ("已办理", "Done"),
            "case.start" => ("启动识别", "Start identification"),
            "review.result" => ("审核结果", "Result"),
            "review.pass" => ("通过", "Pass"),
            "review.fail" => ("不通过", "Fail"),
            "review.opinion" => ("意见", "Opinion"),
            "review.go" => ("提交", "Submit"),
            "cadre.title" => ("确定帮扶责任人", "Responsible cadre"),
            "cadre.current" => ("现帮扶责任人", "Current cadre"),
            "cadre.level" => ("干部类别", "Cadre level"),
            "cadre.unit" => ("工作单位", "Work unit"),
            "cadre.phone" => ("联系电话", "Phone"),
            "cadre.reason" => ("更换原因", "Reason for the change"),
            "cadre.go" => ("确定", "Assign"),
            "plan.title" => ("制定帮扶措施", "Plan a measure"),
            "plan.recommended" => (
                "推荐措施（按帮扶措施规则）",
                "Recommended (the plan's measure rules)",
            ),
            "plan.none" => ("暂无推荐措施", "No recommendation"),
            "plan.amount" => ("金额（元）", "Amount (yuan)"),
            "plan.go" => ("保存措施", "Save the measure"),
            "fu.title" => ("逐月跟踪监测", "Monthly follow-up"),
            "fu.household" => ("户", "household"),
            "fu.recorded" => ("本月已有跟踪记录", "This month is already recorded"),
            "fu.visited" => ("走访日期", "Visited on"),
            "fu.q1" => ("帮扶措施是否落实到位", "Measures carried out?"),
            "fu.q2" => ("各类帮扶政策是否应享尽享", "Every policy received?"),
            "fu.q3" => (
                "“两不愁三保障”及饮水安全是否稳定实现",
                "Two assurances, three guarantees and water secure?",
            ),
            "fu.q4" => ("群众对帮扶工作是否认可", "Household approves of the help?"),
            "fu.income" => ("预计人均纯收入（元）", "Estimated per-capita income (yuan)"),
            "fu.income_record" => ("收支测算（元，可不填）", "Income estimate (yuan, optional)"),
            "fu.income_hint" => (
                "填写后作为该户当年的收入记录（来源“月度走访”，以最近一次核实记录为准），预计人均纯收入按测算结果计算",
                "When filled in, it becomes the household's income record of the year (source: monthly follow-up; the latest verified record counts), and the estimated per-capita income is computed from it",
            ),
            "fu.notes" => ("备注（有“否”时必填）", "Notes (required for any no)"),
            "fu.go" => ("保存本月记录", "Save this month"),
            "notice.title" => ("退出告知书", "Exit notice"),
            "notice.print" => (
                "用浏览器“打印”即可打印本告知书",
                "Print with the browser's Print",
            ),
            "nav.dashboard" => ("数据看板", "Dashboard"),
            "dash.title" => ("数据看板", "Dashboard"),
            "dash.targets" => (
                "年度目标（可计算部分）",
                "Targets of the year (those computable)",
            ),
            "dash.target" => ("目标", "Target"),
            "dash.goal" => ("目标值", "Goal"),
            "dash.now" => ("当前", "Now"),
            "dash.target.cadre" => (
                "监测户落实帮扶责任人",
                "Monitored households with a responsible cadre",
            ),
            "dash.target.income" => (
                "农村居民人均纯收入较上年增长",
                "Rural per-capita net income vs last year",
            ),
            "dash.target.relocation" => (
                "有劳动力的搬迁户有1人稳定就业",
                "Relocated households with labour: one person in stable employment",
            ),
            "dash.target.labour" => (
                "脱贫劳动力务工就业人数（去年同月）",
                "Poverty-alleviated workers in employment (same month last year)",
            ),
            "dash.target.labour.goal" => ("稳中有增", "stable or growing"),
            "dash.target.pv" => ("光伏收益分配到村率", "PV income distributed to villages"),
            "dash.target.pv.none" => (
                "无数据：尚未录入光伏发电收益和收益分配",
                "No data: no PV income or distribution entered yet",
            ),
            "dash.target.workshops" => (
                "帮扶车间吸纳脱贫户、监测户劳动力就业",
                "Assistance workshops employing alleviated and monitored households' labour",
            ),
            "dash.target.workshops.goal" => ("吸纳一批", "take on a share"),
            "dash.target.grids" => (
                "农户纳入网格化管理",
                "Households in a grid (grid management)",
            ),
            "dash.grids" => ("各村已划入网格户数", "Households in a grid by village"),
            "dash.no_data.indicators" => (
                "无数据：尚未录入村容村貌指标",
                "No data: no village has entered its indicators yet",
            ),
            "dash.indicators.states" => ("村容村貌指标填报", "Village indicators entered"),
            "dash.problems" => (
                "三保障和饮水安全问题整改（按行业）",
                "三保障 and drinking-water problems by sector",
            ),
            "dash.exits" => ("本季度退出", "Exits this quarter"),
            "dash.eliminated" => ("风险消除", "eliminated"),
            "dash.deferred" => ("缓退", "deferred"),
            "dash.funnel" => ("线索转化（按监测手段）", "Clue funnel by channel"),
            "dash.funnel.clues" => ("线索", "Clues"),
            "dash.funnel.identified" => ("启动识别", "Identification started"),
            "dash.funnel.enrolled" => ("纳入监测", "Entered monitoring"),
            "dash.by_type" => ("监测户（按监测对象类别）", "Monitored households by type"),
            "dash.by_risk" => ("监测户（按风险类型）", "Monitored households by risk"),
            "dash.by_village" => (
                "监测户（按村，前 20）",
                "Monitored households by village (top 20)",
            ),
            "dash.overdue" => ("逐月跟踪监测逾期（按村）", "Overdue follow-ups by village"),
            "dash.none" => ("暂无数据", "No data"),
            "dash.table" => ("数据表", "Table"),
            "dash.unset" => ("未填类别", "Type not set"),
            "nav.publicity" => ("公示名单", "Public notice"),
            "nav.exits" => ("退出看板", "Exit board"),
            "nav.ledgers" => ("台账下载", "Ledgers"),
            "doc.back" => ("返回", "Back"),
            "doc.docx" => ("下载 Word 文档", "Download Word"),
            "doc.print" => ("打印", "Print"),
            "doc.title" => ("文书", "Documents"),
            "doc.handbook" => ("帮扶手册", "Assistance handbook"),
            "doc.verification" => ("入户核查表", "Verification form"),
            "doc.notice" => ("风险消除告知书", "Exit notice"),
            "doc.publicity" => ("民主评议结果公示", "Appraisal results notice"),
            "doc.notices" => ("本季度告知书（合并）", "This quarter's notices (one file)"),
            "ledger.title" => ("台账下载", "Ledger downloads"),
            "ledger.intro" => (
                "按地区和日期导出本辖区的监测帮扶台账（Excel）。日期按各台账自己的日期筛选：纳入监测日期、措施制定或完成日期、监测月份、风险消除日期、线索发现日期。",
                "Export the lifecycle ledgers of your area as Excel, filtered by area and by each ledger's own date (entry into monitoring, measure planned or done, follow-up month, elimination, clue reported).",
            ),
            "ledger.kind" => ("台账", "Ledger"),
            "ledger.area" => ("地区", "Area"),
            "ledger.from" => ("起始日期", "From"),
            "ledger.to" => ("截止日期", "To"),
            "ledger.per_member" => (
                "监测对象台账按人员列出",
                "Monitored ledger: one row per member",
            ),
            "ledger.download" => ("下载 Excel", "Download Excel"),
            "ledger.ids_full" => (
                "身份证号完整导出，导出记入审计日志。",
                "ID numbers are exported in full; the export is in the audit log.",
            ),
            "ledger.ids_masked" => (
                "您的角色只能导出脱敏的身份证号；导出记入审计日志。",
                "Your role exports masked ID numbers; the export is in the audit log.",
            ),
            "pub.title" => (
                "防返贫监测对象识别公示",
                "Public notice of households to be monitored",
            ),
            "pub.intro" => (
                "经农户申请、入户核查、信息比对和村民主评议，拟将下列农户纳入防返贫监测帮扶范围，现予公示。",
                "After application, household verification, data comparison and the village appraisal, the households below are proposed for monitoring and assistance.",
            ),
            "pub.place" => ("公示地点", "Posted at"),
            "pub.closes" => ("公示截止", "Closes on"),
            "pub.none" => (
                "目前没有正在公示的农户",
                "No household is in its public-notice period",
            ),
            "pub.objection" => (
                "公示期内如有异议，请向村委会或乡镇乡村振兴办反映。",
                "Objections during the notice period go to the village committee or the township office.",
            ),
            "exits.title" => ("季度退出看板", "Quarterly exit board"),
            "exits.eliminated" => ("本季度风险消除", "Eliminated this quarter"),
            "exits.deferred" => ("缓退", "Deferred"),
            k if k.starts_with("adm.") => match rules::text(k) {
                Some(pair) => pair,
                None => return leak_unknown(key),
            },
            k if k.starts_with("st.") => match steps::text(k) {
                Some(pair) => pair,
                None => return leak_unknown(key),
            },
            k if k.starts_with("hc.") => match changes::text(k) {
                Some(pair) => pair,
                None => return leak_unknown(key),
            },
            _ => return leak_unknown(key),
        };
        self.pick(zh, en)
    }
}

/// Unknown keys are a programming error; show the key rather than panic.
fn leak_unknown(_key: &str) -> &'static str {
    "?"
}

/// The i18n handle a template calls: `{{ i18n.t("hh.title") }}`.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    pub lang: Lang,
}

impl I18n {
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }
    pub fn html_lang(&self) -> &'static str {
        self.lang.html_lang()
    }
    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }
    /// A code-list label in the page language.
    pub fn label<C: shouwang_core::codes::CodeList>(&self, c: &C) -> &'static str {
        self.lang.pick(c.label_zh(), c.label_en())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_and_cookie() {
        let mut h = HeaderMap::new();
        assert_eq!(Lang::from_headers(&h), Lang::Zh);
        h.insert("accept-language", "en-US,en;q=0.9".parse().unwrap());
        assert_eq!(Lang::from_headers(&h), Lang::En);
        h.insert("cookie", "a=b; sw_lang=zh".parse().unwrap());
        assert_eq!(Lang::from_headers(&h), Lang::Zh);
    }

    #[test]
    fn every_key_has_both_languages() {
        for key in ["app.name", "hh.title", "inc.per_capita", "err.not_found"] {
            assert_ne!(Lang::Zh.t(key), "?");
            assert_ne!(Lang::En.t(key), "?");
            assert_ne!(Lang::Zh.t(key), Lang::En.t(key));
        }
        assert_eq!(Lang::Zh.t("no.such.key"), "?");
    }

    /// Every key written literally in a template or a source file (`i18n.t("…")`, `.t("…")`) has a text:
    /// an unknown key renders as “?” on the page, which no compiler catches.
    #[test]
    fn every_key_used_is_known() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "html" || x == "rs") {
                    out.push(p);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        walk(&root.join("templates"), &mut files);
        walk(&root.join("src"), &mut files);
        let mut unknown = Vec::new();
        let mut seen = 0;
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for (at, _) in text.match_indices(".t(\"") {
                let rest = &text[at + 4..];
                let Some(end) = rest.find('"') else { continue };
                let key = &rest[..end];
                if key.is_empty()
                    || !key.is_ascii()
                    || key.contains(['{', ' '])
                    || key == "no.such.key"
                {
                    continue;
                }
                seen += 1;
                if Lang::Zh.t(key) == "?" || Lang::En.t(key) == "?" {
                    unknown.push(format!("{}: {key}", f.display()));
                }
            }
        }
        assert!(seen > 100, "only {seen} keys found");
        assert!(unknown.is_empty(), "unknown keys: {unknown:#?}");
    }
}
