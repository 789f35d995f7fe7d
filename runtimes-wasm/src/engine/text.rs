//! Turns the bytes QuickJS gives for a JavaScript string into valid UTF-8.
//!
//! QuickJS encodes a lone UTF-16 surrogate as the three-byte sequence of its code point
//! (`ED A0..BF 80..BF`, as WTF-8 does), which is not valid UTF-8. Node and browsers print
//! U+FFFD for such a surrogate, and so does this module.

use std::borrow::Cow;

/// UTF-8 for U+FFFD REPLACEMENT CHARACTER.
const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

/// `bytes` with every encoded lone surrogate replaced by U+FFFD; borrowed when there is none.
pub fn wtf8_to_utf8(bytes: &[u8]) -> Cow<'_, [u8]> {
    let is_surrogate_at = |i: usize| bytes[i] == 0xED && bytes.get(i + 1).is_some_and(|&b| (0xA0..=0xBF).contains(&b));
    let Some(first) = (0..bytes.len()).find(|&i| is_surrogate_at(i)) else {
        return Cow::Borrowed(bytes);
    };
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..first]);
    let mut i = first;
    while i < bytes.len() {
        if is_surrogate_at(i) {
            out.extend_from_slice(REPLACEMENT);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::wtf8_to_utf8;

    #[test]
    fn valid_text_is_borrowed() {
        let text = "héllo 😀 \u{D7FF}\u{E000}".as_bytes();
        assert!(matches!(wtf8_to_utf8(text), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let bytes = [b'a', 0xED, 0xA0, 0x80, b'b', 0xED, 0xBF, 0xBF];
        assert_eq!(&*wtf8_to_utf8(&bytes), "a\u{FFFD}b\u{FFFD}".as_bytes());
    }
}
