//! Text encoding detection and decoding (字符编码识别).
//!
//! Department files arrive as UTF-8 (with or without a byte-order mark), as
//! GBK / GB18030 (what Excel on a Chinese Windows writes as "CSV"), and now and
//! then as UTF-16 ("Unicode text"). [`detect`] looks at the start of a file;
//! [`decode_to_utf8`] turns the whole file into UTF-8 bytes without a BOM.

use std::borrow::Cow;

/// The encodings we recognise (编码).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 starting with the byte-order mark `EF BB BF`.
    Utf8Bom,
    /// UTF-16 little-endian with a byte-order mark.
    Utf16Le,
    /// UTF-16 big-endian with a byte-order mark.
    Utf16Be,
    /// GB18030, a superset of GBK and GB2312 (国标编码).
    Gb18030,
}

impl TextEncoding {
    /// Length of the byte-order mark at the start of the file.
    pub fn bom_len(self) -> usize {
        match self {
            TextEncoding::Utf8Bom => 3,
            TextEncoding::Utf16Le | TextEncoding::Utf16Be => 2,
            TextEncoding::Utf8 | TextEncoding::Gb18030 => 0,
        }
    }

    /// True when the bytes after the BOM are already UTF-8.
    pub fn is_utf8(self) -> bool {
        matches!(self, TextEncoding::Utf8 | TextEncoding::Utf8Bom)
    }

    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 (BOM)",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Gb18030 => "GB18030/GBK",
        }
    }
}

/// Detects the encoding from the first bytes of a file (64 KiB are plenty).
///
/// A BOM decides. Otherwise a sample that is valid UTF-8 (a character cut at
/// the end of the sample is allowed) is UTF-8, and anything else is taken as
/// GB18030, which decodes GBK and GB2312 too. Department headers are Chinese,
/// so a GBK file is never mistaken for UTF-8 in practice.
pub fn detect(sample: &[u8]) -> TextEncoding {
    if sample.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return TextEncoding::Utf8Bom;
    }
    if sample.starts_with(&[0xFF, 0xFE]) {
        return TextEncoding::Utf16Le;
    }
    if sample.starts_with(&[0xFE, 0xFF]) {
        return TextEncoding::Utf16Be;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => TextEncoding::Utf8,
        // `error_len() == None`: the sample ends inside a character.
        Err(e) if e.error_len().is_none() => TextEncoding::Utf8,
        Err(_) => TextEncoding::Gb18030,
    }
}

/// Decodes a whole file to UTF-8 bytes, without the BOM. Bytes that are not
/// valid in the encoding become U+FFFD, so such a field is later reported as
/// malformed rather than stopping the run.
pub fn decode_to_utf8(bytes: &[u8], enc: TextEncoding) -> Cow<'_, [u8]> {
    let body = bytes.get(enc.bom_len()..).unwrap_or(&[]);
    let decoder = match enc {
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => return Cow::Borrowed(body),
        TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
        TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
        TextEncoding::Gb18030 => encoding_rs::GB18030,
    };
    let (text, _had_errors) = decoder.decode_without_bom_handling(body);
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_and_decodes() {
        assert_eq!(detect("身份证号,户编号".as_bytes()), TextEncoding::Utf8);
        assert_eq!(detect(b"\xEF\xBB\xBF\xE8\xBA\xAB"), TextEncoding::Utf8Bom);
        // a UTF-8 character cut at the end of the sample
        assert_eq!(detect(&"身份".as_bytes()[..5]), TextEncoding::Utf8);
        let (gbk, _, _) = encoding_rs::GBK.encode("身份证号,户编号\n");
        assert_eq!(detect(&gbk), TextEncoding::Gb18030);
        assert_eq!(
            decode_to_utf8(&gbk, TextEncoding::Gb18030).as_ref(),
            "身份证号,户编号\n".as_bytes()
        );
        assert_eq!(
            decode_to_utf8(b"\xEF\xBB\xBFab", TextEncoding::Utf8Bom).as_ref(),
            b"ab"
        );
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("户号".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(detect(&utf16), TextEncoding::Utf16Le);
        assert_eq!(
            decode_to_utf8(&utf16, TextEncoding::Utf16Le).as_ref(),
            "户号".as_bytes()
        );
    }
}
