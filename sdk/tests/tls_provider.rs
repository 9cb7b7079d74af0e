//! The `rustls` feature's TLS set-up: clients for `https` URLs build without a process-wide
//! rustls crypto provider, the SDK never installs one (that choice belongs to the
//! application), and the provider reqwest gives its own client offers post-quantum key
//! exchange.
//!
//! A test binary of its own: whether a provider is installed is process-wide state, and no
//! other test may have installed one before these run.

#![cfg(feature = "rustls")]

use openrouter_keys::{Client, Error, RetryPolicy};
use rustls::crypto::CryptoProvider;
use std::time::Duration;
use tokio::io::AsyncReadExt;

/// TLS's code for the hybrid X25519 + ML-KEM-768 key exchange (IANA's "TLS Supported Groups"
/// registry).
const X25519_MLKEM768: u16 = 0x11ec;

#[test]
fn clients_for_https_build_without_installing_a_provider() {
    assert!(
        CryptoProvider::get_default().is_none(),
        "a provider was installed before the test"
    );
    openrouter_keys::http_client_builder()
        .build()
        .expect("reqwest's own provider, no process default needed");
    // The default base URL is https.
    Client::builder()
        .api_key("sk-or-v1-example")
        .build()
        .expect("a client for the default https base URL");
    let http = openrouter_keys::http_client_builder().build().unwrap();
    Client::builder()
        .api_key("sk-or-v1-example")
        .base_url("https://127.0.0.1:1/api/v1")
        .http_client(http)
        .build()
        .expect("a client on an HTTP client of the application's");
    assert!(
        CryptoProvider::get_default().is_none(),
        "building clients installed a process-wide crypto provider"
    );
}

#[tokio::test]
async fn a_handshake_offers_post_quantum_key_exchange_and_installs_no_provider() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    // Reads the client's first TLS record (its ClientHello), then hangs up.
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut header = [0u8; 5];
        stream.read_exact(&mut header).await.unwrap();
        let mut record = vec![0u8; usize::from(u16::from_be_bytes([header[3], header[4]]))];
        stream.read_exact(&mut record).await.unwrap();
        (header[0], record)
    });
    let client = Client::builder()
        .api_key("sk-or-v1-example")
        .base_url(format!("https://127.0.0.1:{port}/api/v1"))
        .retry(RetryPolicy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let error = client.current_key().await.unwrap_err();
    assert!(matches!(error, Error::Connection { .. }), "{error:?}");
    let (content_type, record) = server.await.unwrap();
    assert_eq!(content_type, 22, "the first record is a handshake");
    let groups = supported_groups(&record).expect("a ClientHello with supported_groups");
    assert!(
        groups.contains(&X25519_MLKEM768),
        "X25519MLKEM768 not offered; groups offered: {groups:04x?}"
    );
    assert!(
        CryptoProvider::get_default().is_none(),
        "a call installed a process-wide crypto provider"
    );
}

/// The key exchange groups a ClientHello offers (its `supported_groups` extension), from the
/// handshake message that fills a TLS record (RFC 8446, section 4.1.2).
fn supported_groups(handshake: &[u8]) -> Option<Vec<u16>> {
    let mut reader = Reader(handshake);
    if reader.take(1)? != [1] {
        return None; // not a ClientHello
    }
    let mut hello = Reader(reader.take_sized(3)?);
    hello.take(2 + 32)?; // legacy version, random
    hello.take_sized(1)?; // legacy session id
    hello.take_sized(2)?; // cipher suites
    hello.take_sized(1)?; // legacy compression methods
    let mut extensions = Reader(hello.take_sized(2)?);
    while !extensions.0.is_empty() {
        let kind = u16::from_be_bytes(extensions.take(2)?.try_into().ok()?);
        let body = extensions.take_sized(2)?;
        if kind == 10 {
            let mut list = Reader(body);
            let groups = list.take_sized(2)?;
            return Some(
                groups
                    .chunks_exact(2)
                    .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                    .collect(),
            );
        }
    }
    None
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    /// A field preceded by its length in `width` big-endian bytes.
    fn take_sized(&mut self, width: usize) -> Option<&'a [u8]> {
        let length = self
            .take(width)?
            .iter()
            .fold(0usize, |n, byte| n << 8 | usize::from(*byte));
        self.take(length)
    }
}
