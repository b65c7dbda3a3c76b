//! The ID-number parsers (身份证号): `shouwang_core::idnum` and the screening engine's byte parser.

use shouwang_core::idnum::{IdNumber, mask_in_text};
use shouwang_screen::parse::{id_birth, id_string, parse_id};

/// Parses `data` as an ID number both ways; a valid one survives a round trip through its text and
/// its number, and masking keeps the length of any text.
pub fn idnum(data: &[u8]) {
    let parsed = IdNumber::parse_bytes(data);
    if let Ok(s) = std::str::from_utf8(data) {
        assert_eq!(IdNumber::parse(s), parsed, "parse and parse_bytes differ");
        let masked = mask_in_text(s);
        assert_eq!(
            masked.chars().count(),
            s.chars().count(),
            "masking changed the length"
        );
    }
    if let Ok(id) = parsed {
        let ascii = id.to_ascii();
        assert_eq!(IdNumber::parse_bytes(&ascii), Ok(id), "text round trip");
        assert_eq!(
            IdNumber::from_u64(id.to_u64()),
            Some(id),
            "number round trip"
        );
        assert_eq!(id.to_string().as_bytes(), ascii.as_slice());
        let masked = id.masked();
        assert_eq!(masked.chars().count(), 18);
        let _ = (id.birth_date(), id.sex(), id.region_code(), id.sequence());
        let _ = id.age_on(id.birth_date());
        // what core accepts, the screening parser accepts with the same digits
        let key = parse_id(&ascii);
        assert!(key.is_ok(), "screening parser refuses {masked}: {key:?}");
    }
    if let Ok(key) = parse_id(data) {
        let text = id_string(key);
        assert_eq!(text.len(), 18);
        assert_eq!(
            parse_id(text.as_bytes()),
            Ok(key),
            "screening key round trip"
        );
        let _ = id_birth(key);
    }
}
