//! Writing registry workbooks 农户信息台账 (XLSX): the export of the registry and the import template.
//!
//! Both have the household sheet 户信息 and the member sheet 家庭成员 with the columns of
//! [`shouwang_core::registry::columns`] in the same order, and the sheet 收支情况 (one row per household and
//! year, [`shouwang_core::registry::INCOME_COLUMNS`]): Chinese headers, a frozen header row and column
//! widths; columns of digits (身份证号, 户编号, 村代码, 联系电话) are text cells in a text-formatted column, so
//! Excel never turns an ID number into `1.41123E+17`; amounts are number cells in yuan shown with two
//! decimals. The template adds drop-down lists for the code columns and a sheet 填表说明 describing every
//! column.

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, Workbook,
    Worksheet, XlsxError,
};
use shouwang_core::CodeList;
use shouwang_core::household::Household;
use shouwang_core::income::IncomeRecord;
use shouwang_core::registry::columns::{
    HOUSEHOLD_SHEET, HOUSEHOLD_SHEET_NAME, MEMBER_SHEET, MEMBER_SHEET_NAME,
};
use shouwang_core::registry::values::{join_labels, join_risks};
use shouwang_core::registry::{
    COLUMNS, Col, INCOME_COLUMNS, INCOME_SHEET_NAME, IncomeCol, Kind, RegionNames,
};

use crate::IoError;

fn xerr(e: XlsxError) -> IoError {
    IoError::Write {
        message: e.to_string(),
    }
}

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
}

fn text_format() -> Format {
    Format::new().set_num_format("@")
}

fn amount_format() -> Format {
    Format::new().set_num_format("0.00")
}

/// Sets up a sheet: name, header row (frozen), widths, text format on digit columns.
fn sheet(name: &str, cols: &[Col]) -> Result<Worksheet, IoError> {
    let cols: Vec<(&str, f64, Kind)> = cols
        .iter()
        .map(|c| (c.spec().header, c.spec().width, c.spec().kind))
        .collect();
    sheet_of(name, &cols)
}

/// The 收支情况 sheet, set up as [`sheet`] sets up the others.
fn income_sheet() -> Result<Worksheet, IoError> {
    let cols: Vec<(&str, f64, Kind)> = INCOME_COLUMNS
        .iter()
        .map(|c| (c.header, c.width, c.kind))
        .collect();
    sheet_of(INCOME_SHEET_NAME, &cols)
}

/// A sheet of columns (header, width, kind).
fn sheet_of(name: &str, cols: &[(&str, f64, Kind)]) -> Result<Worksheet, IoError> {
    let mut ws = Worksheet::new();
    ws.set_name(name).map_err(xerr)?;
    let header = header_format();
    let text = text_format();
    let amount = amount_format();
    for (i, (title, width, kind)) in cols.iter().enumerate() {
        let i = u16::try_from(i).unwrap_or(u16::MAX);
        ws.set_column_width(i, *width).map_err(xerr)?;
        match kind {
            Kind::Digits => {
                ws.set_column_format(i, &text).map_err(xerr)?;
            }
            Kind::Amount => {
                ws.set_column_format(i, &amount).map_err(xerr)?;
            }
            _ => {}
        }
        ws.write_string_with_format(0, i, *title, &header)
            .map_err(xerr)?;
    }
    ws.set_row_height(0, 30).map_err(xerr)?;
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    Ok(ws)
}

/// The cell of a household column.
pub(crate) fn household_cell(c: Col, h: &Household, names: &RegionNames) -> Cell {
    let s = |v: &str| Cell::Text(v.to_owned());
    match c {
        Col::Number => s(&h.number),
        Col::County => s(&names.county),
        Col::Township => s(&names.township),
        Col::Village => s(&names.village),
        Col::VillageCode => s(h.village.as_str()),
        Col::NaturalVillage => s(&names.natural_village),
        Col::NaturalVillageCode => s(h.natural_village.as_deref().unwrap_or("")),
        Col::HouseholdType => s(h.household_type.label_zh()),
        Col::MonitoredType => s(h.monitored_type.map_or("", |t| t.label_zh())),
        Col::Risks => Cell::Text(join_risks(&h.risks)),
        Col::Relocated => s(yes_no(h.is_relocated)),
        Col::Address => s(&h.address),
        Col::Phone => s(h.phone.as_deref().unwrap_or("")),
        Col::Size => Cell::Number(h.members.len() as f64),
        _ => Cell::Text(String::new()),
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

/// The cell of a member column (member `i` of the household).
pub(crate) fn member_cell(c: Col, h: &Household, i: usize) -> Cell {
    let Some(m) = h.members.get(i) else {
        return Cell::Text(String::new());
    };
    let s = |v: &str| Cell::Text(v.to_owned());
    match c {
        Col::Number => s(&h.number),
        Col::Name => s(&m.name),
        Col::IdNumber => Cell::Text(m.id_number.to_string()),
        Col::Sex => s(m.sex.label_zh()),
        Col::Relation => s(m.relation.label_zh()),
        Col::Labour => s(m.labour.label_zh()),
        Col::Health => Cell::Text(join_labels(&m.health)),
        Col::DisabilityGrade => m
            .disability_grade
            .map_or(Cell::Text(String::new()), |g| Cell::Number(f64::from(g))),
        Col::Education => s(m.education.map_or("", |e| e.label_zh())),
        Col::School => s(m.school.map_or("", |e| e.label_zh())),
        Col::Political => s(m.political.label_zh()),
        Col::MedicalInsurance => s(yes_no(m.has_medical_insurance)),
        Col::Dibao => s(m.dibao.label_zh()),
        Col::Tekun => s(m.tekun.label_zh()),
        _ => Cell::Text(String::new()),
    }
}

/// The cell of a 收支情况 column: 户编号 as text, 年度 and 家庭人口 as numbers, amounts in yuan.
pub(crate) fn income_cell(c: IncomeCol, number: &str, r: &IncomeRecord) -> Cell {
    match c {
        IncomeCol::Number => Cell::Text(number.to_owned()),
        IncomeCol::Year => Cell::Number(f64::from(r.year)),
        IncomeCol::Members => Cell::Number(f64::from(r.members)),
        // fen ÷ 100 is correctly rounded: the number nearest the amount, written back as its decimals.
        _ => Cell::Number(c.amount(r).map_or(0.0, |f| f.0 as f64 / 100.0)),
    }
}

/// A cell of the export: a text cell or a number cell.
pub(crate) enum Cell {
    Text(String),
    Number(f64),
}

fn write_cell(ws: &mut Worksheet, row: u32, col: u16, cell: &Cell) -> Result<(), IoError> {
    match cell {
        Cell::Text(t) if t.is_empty() => Ok(()),
        Cell::Text(t) => ws.write_string(row, col, t).map(|_| ()).map_err(xerr),
        Cell::Number(n) => ws.write_number(row, col, *n).map(|_| ()).map_err(xerr),
    }
}

/// Writes the registry (户信息, 家庭成员 and 收支情况) household by household.
pub struct RegistryWriter {
    households: Worksheet,
    members: Worksheet,
    incomes: Worksheet,
    h_row: u32,
    m_row: u32,
    i_row: u32,
}

impl RegistryWriter {
    /// A workbook with the three sheets and their headers.
    pub fn new() -> Result<RegistryWriter, IoError> {
        Ok(RegistryWriter {
            households: sheet(HOUSEHOLD_SHEET_NAME, HOUSEHOLD_SHEET)?,
            members: sheet(MEMBER_SHEET_NAME, MEMBER_SHEET)?,
            incomes: income_sheet()?,
            h_row: 1,
            m_row: 1,
            i_row: 1,
        })
    }

    /// Appends the income records of household `number` (one row per record in 收支情况).
    pub fn add_incomes(&mut self, number: &str, records: &[IncomeRecord]) -> Result<(), IoError> {
        for r in records {
            for (i, c) in INCOME_COLUMNS.iter().enumerate() {
                let col = u16::try_from(i).unwrap_or(u16::MAX);
                write_cell(
                    &mut self.incomes,
                    self.i_row,
                    col,
                    &income_cell(c.col, number, r),
                )?;
            }
            self.i_row += 1;
        }
        Ok(())
    }

    /// Income records written so far.
    pub fn income_rows(&self) -> u32 {
        self.i_row - 1
    }

    /// Appends a household (one row in 户信息, one per member in 家庭成员).
    pub fn add(&mut self, h: &Household, names: &RegionNames) -> Result<(), IoError> {
        for (i, c) in HOUSEHOLD_SHEET.iter().enumerate() {
            let col = u16::try_from(i).unwrap_or(u16::MAX);
            write_cell(
                &mut self.households,
                self.h_row,
                col,
                &household_cell(*c, h, names),
            )?;
        }
        self.h_row += 1;
        for m in 0..h.members.len() {
            for (i, c) in MEMBER_SHEET.iter().enumerate() {
                let col = u16::try_from(i).unwrap_or(u16::MAX);
                write_cell(&mut self.members, self.m_row, col, &member_cell(*c, h, m))?;
            }
            self.m_row += 1;
        }
        Ok(())
    }

    /// Households written so far.
    pub fn households(&self) -> u32 {
        self.h_row - 1
    }

    /// Members written so far.
    pub fn members(&self) -> u32 {
        self.m_row - 1
    }

    /// The workbook as bytes.
    pub fn finish(self) -> Result<Vec<u8>, IoError> {
        self.save(None)
    }

    /// The workbook as bytes, compressed as little as a ZIP deflate allows (level 1): for a workbook read
    /// back at once and not kept (the demo county's registry), where the time matters, not the size.
    pub fn finish_fast(self) -> Result<Vec<u8>, IoError> {
        self.save(Some(1))
    }

    fn save(self, level: Option<u8>) -> Result<Vec<u8>, IoError> {
        let mut wb = Workbook::new();
        if let Some(level) = level {
            wb.set_zip_compression_level(level);
        }
        wb.push_worksheet(self.households);
        wb.push_worksheet(self.members);
        wb.push_worksheet(self.incomes);
        wb.save_to_buffer().map_err(xerr)
    }
}

/// Rows of the template's drop-down lists.
const TEMPLATE_ROWS: u32 = 20_000;

fn add_lists(ws: &mut Worksheet, cols: &[Col]) -> Result<(), IoError> {
    for (i, c) in cols.iter().enumerate() {
        let spec = c.spec();
        if !matches!(spec.kind, Kind::Code | Kind::YesNo) {
            continue;
        }
        let values = c.allowed_values();
        if values.is_empty() {
            continue;
        }
        let col = u16::try_from(i).unwrap_or(u16::MAX);
        let v = DataValidation::new()
            .allow_list_strings(&values)
            .map_err(xerr)?
            .set_error_style(DataValidationErrorStyle::Warning)
            .set_error_title("取值不在列表中")
            .map_err(xerr)?
            .set_error_message(format!("{}：请从下拉列表中选择", spec.header))
            .map_err(xerr)?;
        ws.add_data_validation(1, col, TEMPLATE_ROWS, col, &v)
            .map_err(xerr)?;
    }
    Ok(())
}

/// The import template 农户信息导入模板: the three sheets with headers and drop-down lists, and a sheet
/// 填表说明 describing every column (required, accepted header aliases, values).
pub fn template() -> Result<Vec<u8>, IoError> {
    let mut hh = sheet(HOUSEHOLD_SHEET_NAME, HOUSEHOLD_SHEET)?;
    add_lists(&mut hh, HOUSEHOLD_SHEET)?;
    let mut mm = sheet(MEMBER_SHEET_NAME, MEMBER_SHEET)?;
    add_lists(&mut mm, MEMBER_SHEET)?;
    let ii = income_sheet()?;

    let mut notes = Worksheet::new();
    notes.set_name("填表说明").map_err(xerr)?;
    let header = header_format();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let heads = ["表", "列名", "必填", "说明", "可选值", "也接受的列名"];
    let widths = [10.0, 20.0, 6.0, 50.0, 40.0, 40.0];
    for (i, (h, w)) in heads.iter().zip(widths).enumerate() {
        let i = u16::try_from(i).unwrap_or(u16::MAX);
        notes.set_column_width(i, w).map_err(xerr)?;
        notes
            .write_string_with_format(0, i, *h, &header)
            .map_err(xerr)?;
    }
    notes.set_freeze_panes(1, 0).map_err(xerr)?;
    let mut row = 1u32;
    for (sheet_name, cols) in [
        (HOUSEHOLD_SHEET_NAME, HOUSEHOLD_SHEET),
        (MEMBER_SHEET_NAME, MEMBER_SHEET),
    ] {
        for c in cols {
            let spec = c.spec();
            let cells = [
                sheet_name.to_owned(),
                spec.header.to_owned(),
                if spec.required { "是" } else { "" }.to_owned(),
                spec.note_zh.to_owned(),
                c.allowed_values().join("、"),
                spec.aliases.join("、"),
            ];
            for (i, v) in cells.iter().enumerate() {
                let i = u16::try_from(i).unwrap_or(u16::MAX);
                notes
                    .write_string_with_format(row, i, v, &wrap)
                    .map_err(xerr)?;
            }
            row += 1;
        }
    }
    for spec in INCOME_COLUMNS {
        let cells = [
            INCOME_SHEET_NAME.to_owned(),
            spec.header.to_owned(),
            if spec.required { "是" } else { "" }.to_owned(),
            spec.note_zh.to_owned(),
            String::new(),
            spec.aliases.join("、"),
        ];
        for (i, v) in cells.iter().enumerate() {
            let i = u16::try_from(i).unwrap_or(u16::MAX);
            notes
                .write_string_with_format(row, i, v, &wrap)
                .map_err(xerr)?;
        }
        row += 1;
    }
    row += 1;
    let general = [
        "也可以只用一张表：每人一行，户信息列（户编号、村代码、户类型等）写在每一行或只写在该户第一行。",
        "重复导入同一文件不会改变任何数据：户按户编号、成员按身份证号更新；文件中某户的成员即该户的全部成员。",
        "每户有且只有一名户主；填写了家庭人口的，须与成员行数一致。有问题的户整户不导入，并在报告中列出表、行、列、值和原因。",
        "身份证号、户编号等列必须是文本格式；被 Excel 转成科学计数法（如 1.41123E+17）的号码无法恢复，须重新录入或导出。",
        "收支情况：每户每年度一行，金额以元为单位、最多两位小数（可带千分位逗号），空为 0；家庭纯收入、人均纯收入由系统计算，不必填写。有问题的行单独不导入，其余照常导入；重复导入按户编号和年度更新。",
    ];
    for g in general {
        notes.write_string(row, 0, g).map_err(xerr)?;
        row += 1;
    }
    debug_assert_eq!(
        COLUMNS.len(),
        HOUSEHOLD_SHEET.len() + MEMBER_SHEET.len() - 1
    );

    let mut wb = Workbook::new();
    wb.push_worksheet(hh);
    wb.push_worksheet(mm);
    wb.push_worksheet(ii);
    wb.push_worksheet(notes);
    wb.save_to_buffer().map_err(xerr)
}
