//! Query and form values: percent-encoding, cleaning typed text, optional filters, page numbers.

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Form or query text without control characters (a NUL byte, say), trimmed, at most `max` characters.
pub fn clean(s: &str, max: usize) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .take(max)
        .collect::<String>()
        .trim()
        .to_string()
}

/// An optional filter value: `None` when blank.
pub fn opt(s: &Option<String>, max: usize) -> Option<String> {
    s.as_deref()
        .map(|v| clean(v, max))
        .filter(|v| !v.is_empty())
}

/// A page number from a query (anything that is not a positive number is page 1).
pub fn page_number(p: &Option<String>) -> u32 {
    p.as_deref()
        .and_then(|p| p.trim().parse::<u32>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
}
