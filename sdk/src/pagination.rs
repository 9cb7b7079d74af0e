//! `list_all()` and `all()`: every key, by paging `GET /keys` with `offset` until a page is
//! empty.
//!
//! The API gives no total, no cursor and no documented page size; a caller that
//! makes one list call misses older keys. The stream keeps the filters and per-call options of
//! the request it came from and ends after yielding the first error. It is boxed, so that it is
//! `Unpin` and `try_next()` works on it without pinning (one allocation per listing).
//!
//! Offsets are positions in a list that can change between two pages, and a server can get
//! paging wrong, so the pager remembers the hash of every key it has yielded:
//! - a key seen again (keys created or deleted while listing shift the offsets) is yielded
//!   once;
//! - a non-empty page without a single new key ends the stream with an error: the server
//!   repeated a page (it ignores `offset`, or the list moved by a whole page), and asking for
//!   the next offset would go on forever. Without this, a server that answered every offset
//!   with the same page made the SDK request without end and `all()` grow without bound.
//!
//! Memory: a 64-bit digest per distinct hash, not the hash itself (some 20 bytes a key with
//! the set's overhead, about 2 MB for 100,000 keys, where the hashes' text would take five
//! times that), released when the stream is dropped; `all()` keeps the keys themselves, which
//! are far larger. Digests are keyed at random per listing (SipHash through `RandomState`), so
//! no server can aim two hashes at one digest; by chance, two of 100,000 keys share one about
//! once in 3·10⁹ listings, and the second would be skipped as seen. There is no cap on the number of
//! keys: an account may own many, and every page must bring a new one, so paging ends as soon
//! as the server stops inventing keys. A caller who wants a bound takes one
//! (`list_all().take(n)`).

use crate::error::{DecodeError, Error, Result};
use crate::keys::{ListKeys, Request};
use crate::model::Key;
use crate::operation_id::OperationId;
use futures_util::Stream;
use reqwest::StatusCode;
use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasher, RandomState};

struct Pager<'c> {
    request: Request<'c, ListKeys>,
    offset: u64,
    buffered: VecDeque<Key>,
    /// A digest of the hash of every key yielded (or buffered to be) so far.
    seen: HashSet<u64>,
    /// The random key of those digests.
    digest: RandomState,
    done: bool,
}

impl Pager<'_> {
    /// Buffers the keys of `page` not seen before; an error when there is none, so that a
    /// repeated page ends the listing instead of being asked for again and again.
    fn take_page(&mut self, page: Vec<Key>) -> Result<()> {
        let page_len = page.len();
        let (seen, digest) = (&mut self.seen, &self.digest);
        let fresh = page
            .into_iter()
            .filter(|key| seen.insert(digest.hash_one(&key.hash)));
        let before = self.buffered.len();
        self.buffered.extend(fresh);
        if self.buffered.len() == before {
            return Err(repeated_page(self.offset, page_len, self.seen.len()));
        }
        self.offset = self.offset.saturating_add(page_len as u64);
        Ok(())
    }
}

/// The error of a page that brought no key not already listed.
fn repeated_page(offset: u64, page_len: usize, listed: usize) -> Error {
    Error::Decode(Box::new(DecodeError {
        operation: OperationId::List,
        status: StatusCode::OK,
        path: "data".to_string(),
        message: format!(
            "the server repeated a page: the {page_len} keys at offset {offset} were all \
             listed already, so it seems to ignore `offset` (or the list moved by a whole \
             page while it was read); paging stopped after {listed} distinct keys, which may \
             not be all of them"
        ),
        body_excerpt: String::new(),
        request_id: None,
        attempts: 1,
        created_secret: None,
        key_created: false,
        hint: Some(
            "List again; if this persists, the server pages wrongly: page by hand with \
             `client.keys().list().offset(n)` to see what it returns"
                .to_string(),
        ),
    }))
}

pub(crate) fn keys_stream(
    request: Request<'_, ListKeys>,
) -> impl Stream<Item = Result<Key>> + Send + Unpin + '_ {
    let pager = Pager {
        offset: request.page_offset(),
        request,
        buffered: VecDeque::new(),
        seen: HashSet::new(),
        digest: RandomState::new(),
        done: false,
    };
    Box::pin(futures_util::stream::unfold(
        pager,
        |mut pager| async move {
            loop {
                if let Some(key) = pager.buffered.pop_front() {
                    return Some((Ok(key), pager));
                }
                if pager.done {
                    return None;
                }
                let outcome = match pager.request.clone().offset(pager.offset).await {
                    Ok(page) if page.is_empty() => return None,
                    Ok(page) => pager.take_page(page),
                    Err(error) => Err(error),
                };
                if let Err(error) = outcome {
                    pager.done = true;
                    return Some((Err(error), pager));
                }
            }
        },
    ))
}
