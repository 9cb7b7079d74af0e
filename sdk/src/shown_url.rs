//! A URL the user gave, as messages and `Debug` show it: scheme, host, port and path, never
//! its user name, password, query or fragment, and no `sk-or-…` token anywhere.
//!
//! A base URL may carry a proxy's credentials (`https://user:password@proxy/api/v1`) or a
//! token in its query or fragment (`?token=…`); an error that echoed it would put them in
//! logs. [`ShownUrl`] keeps what tells the URL apart (where it points) and says what it left
//! out, so that the reader knows the message is not the whole URL.

use crate::redact::redact_keys;
use std::fmt;

/// A URL cut down for showing; see the module documentation. `Display` writes it with
/// control characters escaped, [`note`](Self::note) what was left out; `Debug` writes it
/// quoted, followed by the note.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ShownUrl {
    /// `scheme://host:port/path`, `sk-or-…` tokens scrubbed.
    text: String,
    /// The parts left out, in the order of a URL.
    left_out: Vec<&'static str>,
}

impl ShownUrl {
    /// `raw` cut down for showing.
    pub fn of(raw: &str) -> Self {
        let raw = raw.trim();
        let (text, left_out) = match reqwest::Url::parse(raw) {
            Ok(url) if !url.cannot_be_a_base() => {
                let mut left_out = Vec::new();
                if !url.username().is_empty() {
                    left_out.push("user name");
                }
                if url.password().is_some() {
                    left_out.push("password");
                }
                if url.query().is_some() {
                    left_out.push("query");
                }
                if url.fragment().is_some() {
                    left_out.push("fragment");
                }
                let port = url
                    .port()
                    .map(|port| format!(":{port}"))
                    .unwrap_or_default();
                // The parser gives a URL without a path the path `/`: shown as written.
                let written = raw.split(['?', '#']).next().unwrap_or(raw);
                let path = match url.path() {
                    "/" if !written.ends_with('/') => "",
                    path => path,
                };
                let text = format!(
                    "{}://{}{port}{path}",
                    url.scheme(),
                    url.host_str().unwrap_or("")
                );
                (text, left_out)
            }
            // Not a URL this crate could call (no scheme, `mailto:`…): cut by its characters.
            _ => by_characters(raw),
        };
        Self {
            text: redact_keys(&text),
            left_out,
        }
    }

    /// " (shown without its user name and query)", or nothing when nothing was left out.
    pub fn note(&self) -> String {
        let Some((last, others)) = self.left_out.split_last() else {
            return String::new();
        };
        if others.is_empty() {
            format!(" (shown without its {last})")
        } else {
            format!(" (shown without its {} and {last})", others.join(", "))
        }
    }
}

/// `raw` without what follows a `?` or `#`, and without what precedes an `@` in its
/// authority (after `://`, or from its start): the user name and password.
fn by_characters(raw: &str) -> (String, Vec<&'static str>) {
    let mut left_out = Vec::new();
    let mut text = raw;
    if let Some(at) = text.find('?') {
        left_out.push("query");
        text = &text[..at];
    }
    if let Some(at) = text.find('#') {
        left_out.push("fragment");
        text = &text[..at];
    }
    let (scheme, rest) = match text.find("://") {
        Some(at) => text.split_at(at + 3),
        None => ("", text),
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let host = match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            let mut found = vec!["user name"];
            if userinfo.contains(':') {
                found.push("password");
            }
            // In the order of a URL: before the query and fragment.
            left_out.splice(0..0, found);
            &authority[at + 1..]
        }
        None => authority,
    };
    (format!("{scheme}{host}{path}"), left_out)
}

impl fmt::Display for ShownUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.text.escape_debug())
    }
}

impl fmt::Debug for ShownUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}{}", self.text, self.note())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_query_fragment_and_tokens_are_never_shown() {
        for (raw, shown) in [
            (
                "https://user:hunter2@proxy:8443/api/v1",
                "https://proxy:8443/api/v1 (shown without its user name and password)",
            ),
            (
                "https://proxy/api/v1?token=sk-or-v1-abc",
                "https://proxy/api/v1 (shown without its query)",
            ),
            (
                "https://u@proxy/api/v1?a=1#sk-or-v1-abc",
                "https://proxy/api/v1 (shown without its user name, query and fragment)",
            ),
            (
                "https://proxy/sk-or-v1-abc/api/v1",
                "https://proxy/sk-or-[REDACTED]/api/v1",
            ),
            (
                "user:hunter2@openrouter.ai/api/v1?token=x",
                "openrouter.ai/api/v1 (shown without its user name, password and query)",
            ),
            (
                "openrouter.ai/api/v1\u{1b}[2J",
                "openrouter.ai/api/v1\\u{1b}[2J",
            ),
            ("http://127.0.0.1:9/api/v1", "http://127.0.0.1:9/api/v1"),
            ("ftp://x", "ftp://x"),
            ("https://x/?a=1", "https://x/ (shown without its query)"),
        ] {
            let url = ShownUrl::of(raw);
            assert_eq!(format!("{url}{}", url.note()), shown, "{raw}");
        }
        assert_eq!(
            format!("{:?}", ShownUrl::of("https://a:b@proxy/x")),
            "\"https://proxy/x\" (shown without its user name and password)"
        );
    }
}
