//! Rendering a [`Document`] (文书) as print-ready HTML: A4 pages (`@page`), a CSS page break between
//! pages, no navigation when printing (`.no-print`). The same blocks as the DOCX renderer
//! ([`crate::document_docx`]). Every text is HTML-escaped.

use std::fmt::Write as _;

use shouwang_core::document::{Block, Document};

/// The print style sheet (inline in a file, or served by the web application, whose CSP allows only
/// its own style sheets).
pub const CSS: &str = r#"@page { size: A4; margin: 25mm 22mm; }
html { background: #eef1f4; }
body { margin: 0; font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 12pt; line-height: 1.7; color: #000; }
.toolbar { max-width: 210mm; margin: 1rem auto 0; font-family: sans-serif; font-size: 11pt; }
.toolbar a { margin-right: 1em; }
.page { box-sizing: border-box; width: 210mm; min-height: 297mm; margin: 1rem auto; padding: 25mm 22mm; background: #fff; box-shadow: 0 0 4px rgba(0,0,0,.2); break-after: page; page-break-after: always; }
.page:last-child { break-after: auto; page-break-after: auto; }
h1 { text-align: center; font-family: "SimHei", "Heiti SC", "Noto Sans CJK SC", sans-serif; font-size: 18pt; margin: 0 0 .6em; letter-spacing: .1em; }
h2 { font-size: 12pt; margin: 1em 0 .3em; }
p { margin: .3em 0; }
p.para { text-indent: 2em; }
p.center { text-align: center; }
p.right { text-align: right; }
table { width: 100%; border-collapse: collapse; margin: .4em 0 .8em; font-size: 10.5pt; page-break-inside: auto; }
th, td { border: 1px solid #000; padding: .2em .35em; vertical-align: top; word-break: break-all; }
th { font-weight: bold; text-align: center; }
tr { page-break-inside: avoid; break-inside: avoid; }
p.sign { margin-top: 1.6em; }
@media screen and (max-width: 230mm) { .page { width: auto; min-height: 0; margin: .5rem; padding: 1rem; } }
@media print { html, body { background: #fff; } .no-print { display: none !important; } .page { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; } }
"#;

/// Where the style comes from, and an optional toolbar (not printed).
#[derive(Clone, Debug, Default)]
pub struct HtmlOptions<'a> {
    /// A style sheet URL; `None`: the CSS inline (a standalone file).
    pub stylesheet: Option<&'a str>,
    /// Links shown above the pages on screen only: (href, label).
    pub links: Vec<(String, String)>,
    /// `lang` attribute.
    pub lang: &'a str,
}

/// HTML-escapes text.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The document as one HTML page.
pub fn render(doc: &Document, opts: &HtmlOptions<'_>) -> String {
    let mut h = String::new();
    let lang = if opts.lang.is_empty() {
        "zh-CN"
    } else {
        opts.lang
    };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title>",
        escape(lang),
        escape(&doc.title)
    );
    match opts.stylesheet {
        Some(url) => {
            let _ = write!(h, "<link rel=\"stylesheet\" href=\"{}\">", escape(url));
        }
        None => {
            let _ = write!(h, "<style>{CSS}</style>");
        }
    }
    h.push_str("</head><body>\n");
    if !opts.links.is_empty() {
        h.push_str("<nav class=\"toolbar no-print\">");
        for (href, label) in &opts.links {
            let _ = write!(h, "<a href=\"{}\">{}</a>", escape(href), escape(label));
        }
        h.push_str("</nav>\n");
    }
    h.push_str("<main>\n");
    for page in &doc.pages {
        h.push_str("<section class=\"page\">\n");
        for b in page {
            match b {
                Block::Title(s) => {
                    let _ = writeln!(h, "<h1>{}</h1>", escape(s));
                }
                Block::Centered(s) => {
                    let _ = writeln!(h, "<p class=\"center\">{}</p>", escape(s));
                }
                Block::Heading(s) => {
                    let _ = writeln!(h, "<h2>{}</h2>", escape(s));
                }
                Block::Paragraph(s) => {
                    let _ = writeln!(h, "<p class=\"para\">{}</p>", escape(s));
                }
                Block::Plain(s) => {
                    let _ = writeln!(h, "<p>{}</p>", escape(s));
                }
                Block::Right(s) => {
                    let _ = writeln!(h, "<p class=\"right\">{}</p>", escape(s));
                }
                Block::Table(t) => {
                    let total: u32 = t.widths.iter().map(|w| u32::from(*w)).sum::<u32>().max(1);
                    h.push_str("<table>");
                    if !t.widths.is_empty() {
                        h.push_str("<colgroup>");
                        for w in &t.widths {
                            // widths as a span count keeps the CSP happy (no inline style)
                            let pct = u32::from(*w) * 100 / total;
                            let _ = write!(h, "<col width=\"{pct}%\">");
                        }
                        h.push_str("</colgroup>");
                    }
                    if let Some(hd) = &t.header {
                        h.push_str("<thead><tr>");
                        for c in hd {
                            let _ = write!(h, "<th>{}</th>", escape(c));
                        }
                        h.push_str("</tr></thead>");
                    }
                    h.push_str("<tbody>");
                    for r in &t.rows {
                        h.push_str("<tr>");
                        for c in r {
                            let _ = write!(h, "<td>{}</td>", escape(c));
                        }
                        h.push_str("</tr>");
                    }
                    h.push_str("</tbody></table>\n");
                }
                Block::Signatures(v) => {
                    for label in v {
                        let _ = writeln!(
                            h,
                            "<p class=\"sign\">{}：＿＿＿＿＿＿＿＿＿＿　　日期：　　　　年　　月　　日</p>",
                            escape(label)
                        );
                    }
                }
            }
        }
        h.push_str("</section>\n");
    }
    h.push_str("</main></body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use shouwang_core::document::Table;

    fn doc() -> Document {
        Document {
            title: "测试<文书>".into(),
            pages: vec![
                vec![
                    Block::Title("第一页".into()),
                    Block::Table(Table {
                        header: Some(vec!["姓名".into(), "身份证号".into()]),
                        rows: vec![vec!["张三".into(), "141123199001011234".into()]],
                        widths: vec![1, 2],
                    }),
                    Block::Signatures(vec!["核查人（签字）".into()]),
                ],
                vec![Block::Title("第二页".into())],
            ],
        }
    }

    #[test]
    fn html_escapes_and_breaks_pages() {
        let h = render(&doc(), &HtmlOptions::default());
        assert!(h.contains("<title>测试&lt;文书&gt;</title>"));
        assert_eq!(h.matches("<section class=\"page\">").count(), 2);
        assert!(h.contains("size: A4") && h.contains("page-break-after: always"));
        assert!(h.contains("核查人（签字）：＿"));
        let linked = render(
            &doc(),
            &HtmlOptions {
                stylesheet: Some("/assets/document.css"),
                ..Default::default()
            },
        );
        assert!(!linked.contains("<style>") && linked.contains("/assets/document.css"));
    }

    #[test]
    fn docx_is_a_zip_with_the_text() {
        use std::io::Read;
        let bytes = crate::document_docx::render(&doc()).unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        z.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        assert!(
            xml.contains("第一页") && xml.contains("第二页") && xml.contains("141123199001011234")
        );
        assert!(xml.contains("w:type=\"page\""), "a page break");
    }
}
