//! Reading the arguments (JSON, codes, amounts), failing with an exit code, printing a case.

use super::*;

/// An error with the exit code of its kind ([`crate::config::exit_code`]), the message in Chinese and
/// English.
pub(super) fn fail(e: StoreError) -> anyhow::Error {
    crate::config::refused(shouwang_app::Error::from(e))
}

pub(super) fn bad(msg: impl Into<String>) -> anyhow::Error {
    anyhow!(Failure { code: 2 }).context(msg.into())
}

/// A JSON argument, or the file after `@`.
pub(super) fn json_arg<T: serde::de::DeserializeOwned>(arg: &str, what: &str) -> anyhow::Result<T> {
    let text = match arg.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {path}"))
            .map_err(|e| bad(format!("{e:#}")))?,
        None => arg.to_owned(),
    };
    serde_json::from_str(&text)
        .map_err(|e| bad(format!("{what} 不是有效的 JSON / invalid JSON: {e}")))
}

pub(super) fn code<T: CodeList>(s: &str, what: &str) -> anyhow::Result<T> {
    T::from_any(s).ok_or_else(|| {
        let known: Vec<&str> = T::all().iter().map(|v| v.code()).collect();
        bad(format!(
            "未知的{what} / unknown {what}: {s:?}; one of: {}",
            known.join(", ")
        ))
    })
}

pub(super) fn yuan(s: &str) -> anyhow::Result<Fen> {
    Fen::parse_yuan(s.trim()).map_err(|e| bad(format!("金额不正确 / bad amount {s:?}: {e}")))
}

pub(super) fn print<T: serde::Serialize>(
    json: bool,
    value: &T,
    text: impl FnOnce() -> String,
) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(value)?);
    } else {
        println!("{}", text());
    }
    Ok(())
}

pub(super) fn case_text(c: &CaseDto) -> String {
    let mut out = vec![format!(
        "户编号 {}  村 {}  状态 {}（{}）  版本 version {}",
        c.household_number,
        c.village_code,
        c.lifecycle.label_zh(),
        c.lifecycle.code(),
        c.version
    )];
    if let Some(s) = c.ident_next_step {
        out.push(format!(
            "下一识别步骤 next step: {}（{}）",
            s.label_zh(),
            s.code()
        ));
    }
    if let Some(s) = c.exit_next_step {
        out.push(format!(
            "下一退出步骤 next exit step: {}（{}）",
            s.label_zh(),
            s.code()
        ));
    }
    if !c.missing_follow_ups.is_empty() {
        let m: Vec<String> = c.missing_follow_ups.iter().map(|m| m.to_string()).collect();
        out.push(format!(
            "逾期未跟踪月份 overdue follow-ups: {}",
            m.join(", ")
        ));
    }
    out.push("帮扶手册:".to_owned());
    for e in &c.handbook {
        let who = e.actor.as_deref().unwrap_or("");
        let detail = if e.detail_zh.is_empty() {
            String::new()
        } else {
            format!(" — {}", e.detail_zh)
        };
        out.push(format!("  {} {} {}{}", e.on, e.title_zh, who, detail));
    }
    out.join("\n")
}

pub(super) fn rows_text(p: &CasePage) -> String {
    let mut out = vec![format!(
        "共 {} 户 / {} cases (page {})",
        p.total, p.total, p.page
    )];
    for r in &p.items {
        out.push(format!(
            "{}  {}  {}  v{}  {}",
            r.household_number,
            r.village_code,
            r.lifecycle.label_zh(),
            r.version,
            r.cadre_name.as_deref().unwrap_or("")
        ));
    }
    out.join("\n")
}
