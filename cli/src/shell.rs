//! Text as a shell reads it: the commands the CLI suggests (`audit`'s fixes, the `list
//! --match` that finds a key) are copied into a shell, so every word in them is quoted where
//! a shell would read it otherwise.

use std::borrow::Cow;

/// `text` as one shell word: as it is when it holds only characters no shell treats
/// specially (letters, digits, `_ - . / : , + @`), in single quotes otherwise.
pub fn shell_word(text: &str) -> Cow<'_, str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./:,+@".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(single_quoted(text))
    }
}

/// `'text'`, with each `'` inside written as `'\''` (close, escaped quote, reopen).
pub fn single_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shell_word_is_quoted_only_when_a_shell_would_read_it_otherwise() {
        assert_eq!(shell_word("0e6f1c96"), "0e6f1c96");
        assert_eq!(shell_word("rotated-0e6f.csv"), "rotated-0e6f.csv");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("$(rm -rf ~)"), "'$(rm -rf ~)'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}
