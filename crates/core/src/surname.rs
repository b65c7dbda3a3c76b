//! 姓氏: the surname of a person's name, for the 姓氏检索 of sealed names (issue 19). A name is stored
//! encrypted, so a search can no longer compare its first characters in SQL; it compares keyed blind
//! indexes of the whole name and of its surname instead, both computed from [`surname`] and
//! [`crate::duplicates::normalise_name`] here. A prefix that is neither a surname nor a whole name (the
//! first two characters of 王小明) finds nothing.

use crate::duplicates::normalise_name;

/// Two-character compound surnames (复姓) recognised as one surname: the common ones of the
/// 《百家姓》 and those frequent in the registers.
pub const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "令狐", "端木", "独孤", "南宫", "西门", "轩辕", "呼延", "万俟", "闻人", "澹台", "公冶",
    "宗政", "濮阳", "淳于", "单于", "太叔", "申屠", "仲孙", "钟离", "赫连", "司空", "百里", "东郭",
    "拓跋", "第五", "左丘", "谷梁", "公羊", "乐正", "漆雕", "壤驷", "公良", "梁丘", "巫马", "段干",
];

/// The surname of a normalised name: its first two characters when they are a compound surname of
/// [`COMPOUND_SURNAMES`], else its first character ("" for an empty name).
pub fn surname(name: &str) -> &str {
    let two = name.char_indices().nth(2).map_or(name.len(), |(i, _)| i);
    if name[..two].chars().count() == 2 && COMPOUND_SURNAMES.contains(&&name[..two]) {
        return &name[..two];
    }
    let one = name.char_indices().nth(1).map_or(name.len(), |(i, _)| i);
    &name[..one]
}

/// What a name typed in a search box is looked up as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameQuery {
    /// A surname alone (one character, or a compound surname): every person of that surname.
    Surname(String),
    /// Anything longer: the whole name, exactly (after [`normalise_name`]).
    FullName(String),
}

/// How the text `q` of a name search is looked up: a surname alone, or a whole name.
pub fn name_query(q: &str) -> NameQuery {
    let n = normalise_name(q);
    if surname(&n) == n {
        NameQuery::Surname(n)
    } else {
        NameQuery::FullName(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surnames_single_and_compound() {
        assert_eq!(surname("王小明"), "王");
        assert_eq!(surname("欧阳修"), "欧阳");
        assert_eq!(surname("诸葛亮"), "诸葛");
        assert_eq!(surname("欧"), "欧");
        assert_eq!(surname(""), "");
        assert_eq!(surname("王"), "王");
    }

    #[test]
    fn a_search_is_a_surname_or_a_whole_name() {
        assert_eq!(name_query(" 王 "), NameQuery::Surname("王".into()));
        assert_eq!(name_query("司马"), NameQuery::Surname("司马".into()));
        assert_eq!(name_query("王芳"), NameQuery::FullName("王芳".into()));
        assert_eq!(name_query("王 小明"), NameQuery::FullName("王小明".into()));
        assert_eq!(name_query("司马光"), NameQuery::FullName("司马光".into()));
    }
}
