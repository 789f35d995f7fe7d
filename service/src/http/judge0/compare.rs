//! `expected_output` against stdout, as Judge0 compares them: trailing white space of each
//! line and trailing blank lines do not count; everything else does (leading white space,
//! blank lines in between, case).

/// What Ruby's `String#rstrip` removes (ASCII white space and NUL), which Judge0 applies.
fn is_trailing_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r' | '\0')
}

/// The text with each line's trailing white space and the trailing blank lines removed
/// (Judge0: `text.split("\n").map(&:rstrip).join("\n").rstrip`).
pub fn normalize(text: &str) -> String {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.trim_end_matches(is_trailing_blank))
        .collect();
    lines.join("\n").trim_end_matches(is_trailing_blank).to_owned()
}

/// Whether `stdout` is the `expected` output.
pub fn matches(expected: &str, stdout: &str) -> bool {
    normalize(expected) == normalize(stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_white_space_and_blank_lines_are_ignored() {
        assert!(matches("1\n2", "1  \n2\t\n\n\n"));
        assert!(matches("1\n2\n", "1\r\n2\r\n"));
        assert!(matches("", "\n \n"));
        assert!(matches("a b", "a b \0"));
    }

    #[test]
    fn everything_else_counts() {
        assert!(!matches("1\n2", "1\n\n2"), "a blank line in between");
        assert!(!matches("1", " 1"), "leading white space");
        assert!(!matches("abc", "ABC"), "case");
        assert!(!matches("1", "2"));
        assert!(!matches("1", ""));
    }

    #[test]
    fn only_ascii_white_space_is_trimmed() {
        assert!(!matches("x", "x\u{a0}"), "a no-break space is content, as in Ruby");
    }
}
