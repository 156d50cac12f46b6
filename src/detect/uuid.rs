//! The leaf of detection: the UUID's shape, and the two ways of counting a
//! position in text. JavaScript counts UTF-16 units; Rust counts bytes. Every
//! channel that passes offsets across (the card frame, the overview's
//! `classify`, the embed's `pick`) converts here.

/// Length of a textual UUID.
pub const UUID_LEN: usize = 36;

const HEX: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = c.is_ascii_hexdigit();
        i += 1;
    }
    t
};

#[inline]
pub(crate) fn is_hex(b: u8) -> bool {
    HEX[b as usize]
}

/// `b` starts with the 8-4-4-4-12 hex shape.
#[inline]
pub(crate) fn uuid_shape(b: &[u8]) -> bool {
    let Some(b) = b.get(..UUID_LEN) else {
        return false;
    };
    let Ok(b): Result<&[u8; UUID_LEN], _> = b.try_into() else {
        return false;
    };
    if b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
        return false;
    }
    b[..8].iter().all(|&c| is_hex(c))
        && b[9..13].iter().all(|&c| is_hex(c))
        && b[14..18].iter().all(|&c| is_hex(c))
        && b[19..23].iter().all(|&c| is_hex(c))
        && b[24..].iter().all(|&c| is_hex(c))
}

/// `s` is exactly one UUID (8-4-4-4-12 hex digits, any version, any case), nothing around it.
pub fn is_uuid(s: &str) -> bool {
    s.len() == UUID_LEN && uuid_shape(s.as_bytes())
}

/// The byte offset of UTF-16 offset `utf16` in `text` (the end when past it;
/// inside a surrogate pair, the character after it).
pub fn utf16_to_byte(text: &str, utf16: usize) -> usize {
    let mut units = 0;
    for (byte, ch) in text.char_indices() {
        if units >= utf16 {
            return byte;
        }
        units += ch.len_utf16();
    }
    text.len()
}

/// The UTF-16 offset of byte offset `byte` in `text` (0 when it is not on a
/// character boundary or past the end).
pub fn byte_to_utf16(text: &str, byte: usize) -> usize {
    text.get(..byte)
        .map_or(0, |head| head.chars().map(char::len_utf16).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_round_trip_across_wide_characters() {
        let text = "é😀 bot 0b5f5b0e-1111-4a4a-8b8b-123456789abc";
        let byte = text.find('0').unwrap();
        let utf16 = byte_to_utf16(text, byte);
        assert_eq!(utf16, "é😀 bot ".encode_utf16().count());
        assert_eq!(utf16_to_byte(text, utf16), byte);
        assert_eq!(
            utf16_to_byte(text, 2),
            "é😀".len(),
            "inside the pair: the next character"
        );
        assert_eq!(utf16_to_byte(text, 10_000), text.len());
        assert_eq!(byte_to_utf16(text, 1), 0, "not a boundary");
        assert!(is_uuid("0B5F5B0E-1111-4A4A-8B8B-123456789ABC"));
        assert!(!is_uuid("0b5f5b0e-1111-4a4a-8b8b-123456789ab"));
        assert!(!is_uuid("0b5f5b0e_1111-4a4a-8b8b-123456789abc"));
    }
}
