//! One i18n layer for every string on a page (界面文字): Chinese first, English by switch.
//!
//! The language comes from the `sw_lang` cookie (set by the switch in the page
//! header), then from `Accept-Language`, and defaults to Chinese.

use axum::http::HeaderMap;

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
        if let Some(v) = crate::auth::cookie(headers, "sw_lang") {
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
            "login.throttled" => (
                "登录失败次数过多，请 15 分钟后再试",
                "Too many failed logins; try again in 15 minutes",
            ),
            "login.expired" => (
                "页面已过期，请重新登录",
                "The page expired; please log in again",
            ),
            "hh.title" => ("农户信息查询", "Household registry"),
            "hh.search" => (
                "姓名、身份证号或户编号",
                "Name, ID number or household number",
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
}
