//! Scrubbing secrets out of text that came from the network before an error, a log line or a
//! trace can show it.
//!
//! A server or a proxy may echo the credential it was sent, or a key's plaintext, in an error
//! message, its metadata, a request id header or an HTML page. Every such text goes through
//! [`Redactor`] before it is stored in an error: anything shaped like an OpenRouter key
//! (`sk-or-…`) and every secret the call knows of (the client's API key, a partner key being
//! sent, the values of the headers the call adds: a proxy's token, say) is replaced, wherever
//! it appears. Control characters are kept out as well, so that
//! text from the network cannot rewrite a terminal.

use reqwest::header::{HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

/// What replaces a secret.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// Secrets shorter than this are not scrubbed as literal text: replacing every occurrence of
/// a two-letter test key would garble messages, and no real credential is that short.
const MIN_LITERAL_SECRET: usize = 8;

/// The secrets one call knows of, borrowed for the length of one scrub.
#[derive(Clone, Copy, Default)]
pub(crate) struct Redactor<'a> {
    api_key: Option<&'a SecretString>,
    extra: Option<&'a SecretString>,
    /// The headers the call adds: their values are treated as secrets.
    headers: &'a [(HeaderName, HeaderValue)],
}

impl<'a> Redactor<'a> {
    /// Scrubs the client's `api_key` and, if any, one more secret of this call.
    pub fn new(api_key: &'a SecretString, extra: Option<&'a SecretString>) -> Self {
        Self {
            api_key: Some(api_key),
            extra,
            headers: &[],
        }
    }

    /// Also scrubs the values of these headers, which the call adds (credentials for a proxy
    /// or a gateway, as likely as not).
    pub fn with_headers(mut self, headers: &'a [(HeaderName, HeaderValue)]) -> Self {
        self.headers = headers;
        self
    }

    /// Every secret this redactor scrubs as literal text, trimmed (some may be too short to).
    fn secrets(&self) -> impl Iterator<Item = &'a str> {
        let keys = [self.api_key, self.extra]
            .into_iter()
            .flatten()
            .map(|secret| secret.expose_secret().trim());
        let headers = self
            .headers
            .iter()
            .filter_map(|(_, value)| value.to_str().ok())
            .map(str::trim);
        keys.chain(headers)
    }

    /// The length in bytes of the longest secret this redactor scrubs literally (0 if none).
    pub fn longest_secret(&self) -> usize {
        self.secrets().map(str::len).max().unwrap_or(0)
    }

    /// `text` without any known secret or `sk-or-…` token, and without control characters
    /// (replaced by `\u{fffd}`; tabs and newlines are kept).
    pub fn text(&self, text: &str) -> String {
        let mut out = redact_keys(text);
        for secret in self.secrets() {
            if secret.len() >= MIN_LITERAL_SECRET && out.contains(secret) {
                out = out.replace(secret, REDACTED);
            }
            // A key echoed in another spelling (percent-encoded in a URL, upper case,
            // `sk_or_v1_…`) still carries its random part, which is the secret.
            if let Some(body) = key_body(secret) {
                out = replace_ignoring_ascii_case(&out, body, REDACTED);
            }
        }
        if out.chars().any(is_unsafe_control) {
            out = out
                .chars()
                .map(|c| if is_unsafe_control(c) { '\u{fffd}' } else { c })
                .collect();
        }
        out
    }

    /// A header's value (a request id, a `Location`) as text, lossily decoded and scrubbed as
    /// by [`text`](Self::text).
    pub fn header(&self, value: &reqwest::header::HeaderValue) -> String {
        self.text(&String::from_utf8_lossy(value.as_bytes()))
    }

    /// `value` with every string in it (object keys included) scrubbed as by [`text`](Self::text).
    pub fn json(&self, value: serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::String(text) => Value::String(self.text(&text)),
            Value::Array(items) => Value::Array(items.into_iter().map(|v| self.json(v)).collect()),
            Value::Object(map) => Value::Object(self.map(map)),
            other => other,
        }
    }

    /// A JSON object with its keys and values scrubbed.
    pub fn map(
        &self,
        map: serde_json::Map<String, serde_json::Value>,
    ) -> serde_json::Map<String, serde_json::Value> {
        map.into_iter()
            .map(|(key, value)| (self.text(&key), self.json(value)))
            .collect()
    }
}

/// The first `limit` bytes of `body` as text, scrubbed by `redactor`, so that an excerpt can
/// never carry a secret into logs.
pub(crate) fn excerpt(body: &[u8], limit: usize, redactor: &Redactor<'_>) -> String {
    // Scrub before cutting: a secret that straddles the cut would otherwise leave its first
    // part in the excerpt, unrecognised. The window reaches past the cut by the longest
    // secret, so any secret that starts before the cut is whole in it.
    let window = &body[..body.len().min(limit + redactor.longest_secret())];
    let mut text = redactor.text(&String::from_utf8_lossy(window));
    if text.len() > limit {
        let mut end = limit;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// The random part of a key shaped like OpenRouter's (`sk-or-v1-<64 hex>`: what follows
/// its last `-`), when it is long enough to be a secret on its own; `None` for other
/// secrets, which are scrubbed as written only.
fn key_body(secret: &str) -> Option<&str> {
    let (_, body) = secret.rsplit_once('-')?;
    (body.len() >= 2 * MIN_LITERAL_SECRET && body.chars().all(|c| c.is_ascii_alphanumeric()))
        .then_some(body)
}

/// `text` with every occurrence of the ASCII `needle`, in any letter case, replaced by
/// `with`. ASCII case folding keeps byte offsets, so the positions found in the folded text
/// are the original's.
fn replace_ignoring_ascii_case(text: &str, needle: &str, with: &str) -> String {
    let folded = text.to_ascii_lowercase();
    let needle = needle.to_ascii_lowercase();
    if !folded.contains(&needle) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in folded.match_indices(&needle) {
        out.push_str(&text[last..at]);
        out.push_str(with);
        last = at + needle.len();
    }
    out.push_str(&text[last..]);
    out
}

fn is_unsafe_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Replaces every `sk-or-<token>` in `text` with `sk-or-[REDACTED]`.
pub(crate) fn redact_keys(text: &str) -> String {
    const MARKER: &str = "sk-or-";
    if !text.contains(MARKER) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARKER) {
        out.push_str(&rest[..at + MARKER.len()]);
        out.push_str(REDACTED);
        rest = &rest[at + MARKER.len()..];
        let token_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        rest = &rest[token_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_key_echoed_in_another_spelling_is_scrubbed_by_its_random_part() {
        let body = "a1".repeat(32);
        let key = SecretString::from(format!("sk-or-v1-{body}"));
        let redactor = Redactor::new(&key, None);
        for echoed in [
            format!("http://evil.example/?k=sk%2Dor%2Dv1%2D{body}"),
            format!("bad key {}", body.to_ascii_uppercase()),
            format!("SK-OR-V1-{}", body.to_ascii_uppercase()),
            format!("sk_or_v1_{body}"),
        ] {
            let shown = redactor.text(&echoed);
            assert!(!shown.to_ascii_lowercase().contains(&body), "{shown}");
            assert!(shown.contains(REDACTED), "{shown}");
        }
        // A short test key's last part is not taken for a secret.
        let short = SecretString::from("sk-or-v1-test".to_string());
        assert_eq!(Redactor::new(&short, None).text("a test"), "a test");
    }

    #[test]
    fn excerpt_is_bounded_and_lossy() {
        let key = secrecy::SecretString::from("sk-or-v1-test".to_string());
        let redactor = Redactor::new(&key, None);
        let body = [b'a'; 5000];
        assert_eq!(excerpt(&body, 1024, &redactor).len(), 1024);
        assert_eq!(excerpt(&[0xff, b'a'], 10, &redactor), "\u{fffd}a");
        // A multi-byte character at the cut is dropped whole.
        assert_eq!(excerpt("aé".as_bytes(), 2, &redactor), "a");
    }

    #[test]
    fn a_secret_across_the_cut_leaves_no_part_of_itself() {
        let key = secrecy::SecretString::from("my-proxy-credential-0123456789abcdef".to_string());
        let redactor = Redactor::new(&key, None);
        for before in [1000, 1010, 1023] {
            let mut body = vec![b'x'; before];
            body.extend_from_slice(b"my-proxy-credential-0123456789abcdef and more");
            let shown = excerpt(&body, 1024, &redactor);
            assert!(shown.len() <= 1024, "{before}");
            assert!(
                !shown.contains("my-p"),
                "{before}: ...{}",
                &shown[before.min(shown.len())..]
            );
        }
    }

    #[test]
    fn redacts_every_key_shaped_token() {
        let text = r#"{"key":"sk-or-v1-abc123","other":"x sk-or-v1-def.456 y"}"#;
        assert_eq!(
            redact_keys(text),
            r#"{"key":"sk-or-[REDACTED]","other":"x sk-or-[REDACTED] y"}"#
        );
        assert_eq!(redact_keys("nothing here"), "nothing here");
        assert_eq!(redact_keys("sk-or-"), "sk-or-[REDACTED]");
    }

    #[test]
    fn redacts_the_known_secrets_whatever_their_shape() {
        let key = SecretString::from("proxy-credential-1234".to_string());
        let partner = SecretString::from("partner-secret-abcdefghijklmnopqrstuvwxyz".to_string());
        let redactor = Redactor::new(&key, Some(&partner));
        assert_eq!(
            redactor
                .text("bad key proxy-credential-1234, partner-secret-abcdefghijklmnopqrstuvwxyz"),
            "bad key [REDACTED], [REDACTED]"
        );
        let scrubbed = redactor.json(json!({
            "proxy-credential-1234": ["sk-or-v1-x", {"nested": "Bearer proxy-credential-1234"}],
            "n": 1
        }));
        assert_eq!(
            scrubbed,
            json!({"[REDACTED]": ["sk-or-[REDACTED]", {"nested": "Bearer [REDACTED]"}], "n": 1})
        );
    }

    #[test]
    fn short_secrets_and_control_characters() {
        let short = SecretString::from("k".to_string());
        let redactor = Redactor::new(&short, None);
        assert_eq!(redactor.text("keep k"), "keep k");
        assert_eq!(redactor.text("a\u{1b}[31mb\tc\n"), "a\u{fffd}[31mb\tc\n");
    }
}
