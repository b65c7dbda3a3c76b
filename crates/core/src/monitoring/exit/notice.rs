//! 退出告知书: the written exit notice (§三(一)3 四是退出告知), its number
//! `兴县圪塔上乡〔2022〕告字第N号` and its printable text.

use chrono::NaiveDate;

use crate::codes::{CodeList, EliminationMode};
use crate::monitoring::common::date_zh;

/// The numbering of exit notices: `{prefix}〔{year}〕{word}第{n}号`.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeNumbering {
    /// 发文机关简称 (default `兴县圪塔上乡`).
    pub prefix: String,
    /// 文种字 (default `告字`).
    pub word: String,
}

impl Default for NoticeNumbering {
    fn default() -> Self {
        NoticeNumbering {
            prefix: "兴县圪塔上乡".to_owned(),
            word: "告字".to_owned(),
        }
    }
}

impl NoticeNumbering {
    /// `兴县圪塔上乡〔2022〕告字第7号`.
    pub fn number(&self, year: i32, sequence: u32) -> String {
        format!("{}〔{year}〕{}第{sequence}号", self.prefix, self.word)
    }
}

/// The written exit notice 退出告知书.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExitNotice {
    /// 文号, e.g. `兴县圪塔上乡〔2022〕告字第7号`.
    pub number: String,
    /// Year of the number.
    pub year: i32,
    /// Sequence in the year.
    pub sequence: u32,
    /// 户编号.
    pub household: String,
    /// 户主姓名.
    pub addressee: String,
    /// 村名.
    pub village: String,
    /// 落款单位.
    pub committee: String,
    /// 风险消除日期.
    pub eliminated_on: NaiveDate,
    /// 风险消除方式.
    pub mode: EliminationMode,
    /// 告知日期.
    pub issued_on: NaiveDate,
}

/// The printable text of a notice.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeText {
    /// 标题.
    pub title: String,
    /// 文号.
    pub number: String,
    /// 称呼 (`张三户：`).
    pub salutation: String,
    /// 正文 paragraphs.
    pub body: Vec<String>,
    /// 落款.
    pub issuer: String,
    /// 日期 (`2022年9月28日`).
    pub date: String,
}

impl NoticeText {
    /// The whole text, one paragraph a line (for a preview or a plain printout).
    pub fn plain(&self) -> String {
        let mut lines = vec![
            self.title.clone(),
            self.number.clone(),
            String::new(),
            self.salutation.clone(),
        ];
        lines.extend(self.body.iter().map(|p| format!("　　{p}")));
        lines.push(String::new());
        lines.push(self.issuer.clone());
        lines.push(self.date.clone());
        lines.join("\n")
    }
}

impl ExitNotice {
    /// The printable text (§三(一)3 四是退出告知: "村委要书面告知其退出防返贫监测帮扶范围").
    pub fn text(&self) -> NoticeText {
        NoticeText {
            title: "退出防返贫监测帮扶范围告知书".to_owned(),
            number: self.number.clone(),
            salutation: format!("{}户：", self.addressee),
            body: vec![
                format!(
                    "经村级工作专班入户核查、{}民主评议，你户返贫致贫风险已稳定消除（风险消除方式：{}），于{}按程序完成返贫风险退出。自即日起，你户退出防返贫监测帮扶范围。",
                    self.village,
                    self.mode.label_zh(),
                    date_zh(self.eliminated_on)
                ),
                "退出后，村级工作专班将继续关注你户生产生活情况。如再次出现返贫致贫风险，请及时向村委会申请，我们将按程序重新纳入监测帮扶。".to_owned(),
                "特此告知。".to_owned(),
            ],
            issuer: self.committee.clone(),
            date: date_zh(self.issued_on),
        }
    }
}
