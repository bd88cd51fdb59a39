//! Text that comes from a mod, made safe to show.
//!
//! A manifest field, a file name, an identity string or a trap message can hold control
//! characters: an ESC sequence retitles a terminal or clears it, a bidirectional override makes
//! text read differently from what it is. The manifest refuses them in its fields
//! ([`is_unsafe_char`]); everything else a mod controls is passed through [`escape`] before it
//! reaches a message, so the CLI and the studio print only visible characters.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;

/// Unicode's bidirectional formatting characters: embeddings, overrides, isolates and marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Characters never shown as they are: C0 and C1 controls (ESC, newline, DEL…), the line and
/// paragraph separators, and the bidirectional formatting characters.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || is_bidi_control(c)
}

/// `text` with every [unsafe](is_unsafe_char) character written as a visible `\u{1b}` escape.
/// Borrowed when nothing needs escaping; idempotent.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// What the command line prints, made safe for a terminal whatever it holds: every
/// [unsafe](is_unsafe_char) character but a newline or a tab written as `\u001b` (JSON's own
/// escape, so a line of JSON stays valid JSON). Every line the program writes to standard output
/// or standard error passes through here, so text from a file (a scene's name, a key serde
/// quotes, a source line a parser quotes) can never drive the terminal, even where a message
/// forgot to [`escape`] it.
pub fn escape_output(text: &str) -> Cow<'_, str> {
    let unsafe_here = |c: char| is_unsafe_char(c) && c != '\n' && c != '\t';
    if !text.chars().any(unsafe_here) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_here(c) {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A path as text, lossy for non-UTF-8 names and [escaped](escape).
pub fn escape_path(path: &Path) -> String {
    escape(&path.to_string_lossy()).into_owned()
}

/// The first unsafe character of `text`, with its position (counted in characters from 1).
pub fn first_unsafe(text: &str) -> Option<(usize, char)> {
    text.chars()
        .enumerate()
        .find(|(_, c)| is_unsafe_char(*c))
        .map(|(i, c)| (i + 1, c))
}

/// `n` for a glance: up to 9,999 as it is, then `12.3k`, `6.2M`, `1.4G`.
pub fn short_number(n: u64) -> String {
    let (value, unit) = match n {
        0..10_000 => return n.to_string(),
        10_000..1_000_000 => (n as f64 / 1e3, "k"),
        1_000_000..1_000_000_000 => (n as f64 / 1e6, "M"),
        _ => (n as f64 / 1e9, "G"),
    };
    let text = format!("{value:.1}");
    format!("{}{unit}", text.strip_suffix(".0").unwrap_or(&text))
}

/// `n` with a comma between groups of three digits: `1,234,567`.
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_keeps_lines_and_json_but_no_control_character() {
        let text = "tick 1\tok\n\u{1b}[2J\u{9b}31m\u{202e}abc\r\n";
        let out = escape_output(text);
        assert_eq!(out, "tick 1\tok\n\\u001b[2J\\u009b31m\\u202eabc\\u000d\n");
        let json = serde_json::json!({"name": "\u{9b}x\u{202e}"}).to_string();
        let safe = escape_output(&json);
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["name"], "\u{9b}x\u{202e}");
        assert!(matches!(escape_output("plain\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn controls_and_bidi_overrides_become_visible_escapes() {
        assert_eq!(escape("plain text é ✓"), "plain text é ✓");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(escape("a\u{1b}]0;pwned\u{7}b"), "a\\u{1b}]0;pwned\\u{7}b");
        assert_eq!(escape("x\u{202e}gpj.exe"), "x\\u{202e}gpj.exe");
        assert_eq!(escape("line\nbreak\u{9b}"), "line\\u{a}break\\u{9b}");
        let once = escape("\u{1b}[2J").into_owned();
        assert_eq!(escape(&once), once, "escaping twice changes nothing");
        assert_eq!(first_unsafe("ab\u{2066}c"), Some((3, '\u{2066}')));
        assert_eq!(first_unsafe("abc"), None);
    }
}
