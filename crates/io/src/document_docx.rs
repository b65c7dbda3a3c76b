//! Rendering a [`Document`] (文书) as DOCX with `docx-rs`: A4 pages, 宋体, a page break between pages
//! (a quarter's notices in one file), tables with borders and proportional column widths, signature
//! lines. The layout decisions are the document model's ([`shouwang_core::document`]); this only maps
//! each block to Word's.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BreakType, Docx, PageMargin, Paragraph, Run, RunFonts, SpecialIndentType,
    Table as DocxTable, TableCell, TableRow, WidthType,
};
use shouwang_core::document::{Block, Document, Table};

use crate::IoError;

/// A4 in twips (1/20 pt).
const PAGE_W: u32 = 11_906;
const PAGE_H: u32 = 16_838;
const MARGIN_LR: i32 = 1_247; // 2.2 cm
const MARGIN_TB: i32 = 1_418; // 2.5 cm
/// Body size in half-points (小四, 12 pt).
const BODY: usize = 24;
/// Title size (小二, 18 pt).
const TITLE: usize = 36;

fn run(text: &str) -> Run {
    Run::new().add_text(text)
}

fn para(text: &str) -> Paragraph {
    Paragraph::new().add_run(run(text))
}

fn table(t: &Table) -> DocxTable {
    let text_width = (PAGE_W as usize).saturating_sub(2 * MARGIN_LR as usize);
    let total: usize = t
        .widths
        .iter()
        .map(|w| usize::from(*w))
        .sum::<usize>()
        .max(1);
    let cols = t
        .header
        .as_ref()
        .map(Vec::len)
        .or_else(|| t.rows.first().map(Vec::len))
        .unwrap_or(0);
    let grid: Vec<usize> = (0..cols)
        .map(|i| {
            let w = t.widths.get(i).map_or(1, |w| usize::from(*w));
            text_width * w / total
        })
        .collect();
    let cell = |text: &str, i: usize, bold: bool| {
        let mut r = run(text).size(21);
        if bold {
            r = r.bold();
        }
        TableCell::new()
            .add_paragraph(Paragraph::new().add_run(r))
            .width(grid.get(i).copied().unwrap_or(0), WidthType::Dxa)
    };
    let mut rows = Vec::new();
    if let Some(h) = &t.header {
        rows.push(TableRow::new(
            h.iter()
                .enumerate()
                .map(|(i, s)| cell(s, i, true))
                .collect(),
        ));
    }
    for r in &t.rows {
        rows.push(TableRow::new(
            r.iter()
                .enumerate()
                .map(|(i, s)| cell(s, i, false))
                .collect(),
        ));
    }
    if rows.is_empty() {
        rows.push(TableRow::new(vec![
            TableCell::new().add_paragraph(Paragraph::new()),
        ]));
    }
    DocxTable::new(rows)
        .set_grid(grid)
        .width(text_width, WidthType::Dxa)
}

/// The document as a DOCX file.
pub fn render(doc: &Document) -> Result<Vec<u8>, IoError> {
    let mut d = Docx::new()
        .page_size(PAGE_W, PAGE_H)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TB)
                .bottom(MARGIN_TB)
                .left(MARGIN_LR)
                .right(MARGIN_LR),
        )
        .default_fonts(RunFonts::new().east_asia("宋体").ascii("Times New Roman"))
        .default_size(BODY);
    for (i, page) in doc.pages.iter().enumerate() {
        if i > 0 {
            d = d.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)));
        }
        for b in page {
            d = match b {
                Block::Title(s) => d.add_paragraph(
                    Paragraph::new()
                        .add_run(
                            run(s)
                                .bold()
                                .size(TITLE)
                                .fonts(RunFonts::new().east_asia("黑体")),
                        )
                        .align(AlignmentType::Center),
                ),
                Block::Centered(s) => d.add_paragraph(para(s).align(AlignmentType::Center)),
                Block::Heading(s) => d.add_paragraph(Paragraph::new().add_run(run(s).bold())),
                Block::Paragraph(s) => d.add_paragraph(para(s).indent(
                    None,
                    Some(SpecialIndentType::FirstLine(2 * 240)),
                    None,
                    None,
                )),
                Block::Plain(s) => d.add_paragraph(para(s)),
                Block::Right(s) => d.add_paragraph(para(s).align(AlignmentType::Right)),
                Block::Table(t) => d.add_table(table(t)).add_paragraph(Paragraph::new()),
                Block::Signatures(v) => {
                    let mut d = d.add_paragraph(Paragraph::new());
                    for label in v {
                        d = d.add_paragraph(para(&format!(
                            "{label}：＿＿＿＿＿＿＿＿＿＿　　日期：　　　　年　　月　　日"
                        )));
                    }
                    d
                }
            };
        }
    }
    let mut out = Cursor::new(Vec::new());
    d.build().pack(&mut out).map_err(|e| IoError::Write {
        message: e.to_string(),
    })?;
    Ok(out.into_inner())
}
