//! `into_stream()` and `all()` of a listing that pages by offset ([`Paged`]; `GET /keys`
//! behind `list_all()` and `Keys::all()`): every item, by asking page after page until one is
//! empty.
//!
//! The API gives no total, no cursor and no documented page size; a caller that
//! makes one list call misses older keys. The stream keeps the filters and per-call options of
//! the request it came from and ends after yielding the first error. It is boxed, so that it is
//! `Unpin` and `try_next()` works on it without pinning (one allocation per listing).
//!
//! Offsets are positions in a list that can change between two pages, and a server can get
//! paging wrong, so the pager remembers the id (a key's hash) of every item it has yielded:
//! - a key seen again (keys created or deleted while listing shift the offsets) is yielded
//!   once;
//! - a non-empty page without a single new key ends the stream with an error: the server
//!   repeated a page (it ignores `offset`, or the list moved by a whole page), and asking for
//!   the next offset would go on forever, and `all()` would grow without bound.
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

use crate::decode_error::DecodeError;
use crate::error::{Error, Result};
use crate::operation_id::OperationId;
use crate::request::{Operation, Request};
use futures_util::Stream;
use reqwest::StatusCode;
use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::hash::{BuildHasher, RandomState};

/// An operation that lists by offset, page after page: a [`Request`] of it can fetch every
/// page ([`Request::into_stream`], [`Request::all`]). Sealed, like [`Operation`]; for
/// example [`ListKeys`](crate::ListKeys).
pub trait Paged: Operation<Output = Vec<Self::Item>> + Clone {
    /// What a page holds (a [`Key`](crate::Key)).
    type Item: Send + 'static;
    #[doc(hidden)]
    /// What the pager says about this listing.
    const LISTING: Listing;
    #[doc(hidden)]
    /// The offset the request starts at.
    fn offset(&self) -> u64;
    #[doc(hidden)]
    /// Sets the offset to ask for.
    fn set_offset(&mut self, offset: u64);
    #[doc(hidden)]
    /// What tells two items apart (a key's hash).
    fn id(item: &Self::Item) -> &str;
}

/// What a listing's errors say about it, declared with its operation.
#[doc(hidden)]
#[derive(Debug)]
pub struct Listing {
    /// The operation that lists.
    pub(crate) operation: OperationId,
    /// What it lists, in the plural (`keys`).
    pub(crate) items: &'static str,
    /// The JSON member that holds a page's items (`data`).
    pub(crate) path: &'static str,
    /// How to ask for one page by hand, in code (`client.keys().list().offset(n)`).
    pub(crate) by_hand: &'static str,
}

impl<'c, Op: Paged> Request<'c, Op> {
    /// Every item matching this request's filters, from its offset on, fetched page by page
    /// until a page comes back empty. The stream ends after the first error, which it yields.
    ///
    /// An item that comes back on a later page (items created or deleted while listing shift
    /// the offsets) is yielded once. A non-empty page without a single item not yet listed
    /// means the server repeated a page (it ignores `offset`): the stream then ends with an
    /// [`Error::Decode`] naming the offset, instead of asking forever. The stream keeps a
    /// 64-bit digest of every item's id (a key's hash) it yielded (about 20 bytes an item)
    /// until it is dropped.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_keys::Client) -> Result<(), openrouter_keys::Error> {
    /// use futures_util::TryStreamExt;
    /// let mut keys = client.keys().list().include_disabled(true).into_stream();
    /// while let Some(key) = keys.try_next().await? {
    ///     println!("{}", key.hash);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn into_stream(self) -> impl Stream<Item = Result<Op::Item>> + Send + Unpin + 'c {
        stream(self)
    }

    /// Every item matching this request's filters, from its offset on, collected into one
    /// `Vec`: the pages of [`into_stream`](Self::into_stream), fetched one after another.
    /// Fails with the first error.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_keys::Client) -> Result<(), openrouter_keys::Error> {
    /// let with_disabled = client.keys().list().include_disabled(true).all().await?;
    /// # let _ = with_disabled; Ok(()) }
    /// ```
    pub fn all(self) -> impl Future<Output = Result<Vec<Op::Item>>> + Send + 'c {
        futures_util::TryStreamExt::try_collect(self.into_stream())
    }
}

struct Pager<'c, Op: Paged> {
    request: Request<'c, Op>,
    offset: u64,
    buffered: VecDeque<Op::Item>,
    /// A digest of the id of every item yielded (or buffered to be) so far.
    seen: HashSet<u64>,
    /// The random key of those digests.
    digest: RandomState,
    done: bool,
}

impl<Op: Paged> Pager<'_, Op> {
    /// Buffers the items of `page` not seen before; an error when there is none, so that a
    /// repeated page ends the listing instead of being asked for again and again.
    fn take_page(&mut self, page: Vec<Op::Item>) -> Result<()> {
        let page_len = page.len();
        let (seen, digest) = (&mut self.seen, &self.digest);
        let fresh = page
            .into_iter()
            .filter(|item| seen.insert(digest.hash_one(Op::id(item))));
        let before = self.buffered.len();
        self.buffered.extend(fresh);
        if self.buffered.len() == before {
            return Err(repeated_page(
                &Op::LISTING,
                self.offset,
                page_len,
                self.seen.len(),
            ));
        }
        self.offset = self.offset.saturating_add(page_len as u64);
        Ok(())
    }
}

/// The error of a page that brought no item not already listed.
pub(crate) fn repeated_page(
    listing: &Listing,
    offset: u64,
    page_len: usize,
    listed: usize,
) -> Error {
    let items = listing.items;
    Error::Decode(Box::new(DecodeError {
        operation: listing.operation,
        status: StatusCode::OK,
        path: listing.path.to_string(),
        message: format!(
            "the server repeated a page: the {page_len} {items} at offset {offset} were all \
             listed already, so it seems to ignore `offset` (or the list moved by a whole \
             page while it was read); paging stopped after {listed} distinct {items}, which \
             may not be all of them"
        ),
        body_excerpt: String::new(),
        request_id: None,
        attempts: 1,
        created_secret: None,
        key_created: false,
        hint: Some(format!(
            "List again; if this persists, the server pages wrongly: page by hand with `{}` \
             to see what it returns",
            listing.by_hand
        )),
    }))
}

fn stream<Op: Paged>(
    request: Request<'_, Op>,
) -> impl Stream<Item = Result<Op::Item>> + Send + Unpin + '_ {
    let pager = Pager {
        offset: request.operation.offset(),
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
                if let Some(item) = pager.buffered.pop_front() {
                    return Some((Ok(item), pager));
                }
                if pager.done {
                    return None;
                }
                let mut page = pager.request.clone();
                page.operation.set_offset(pager.offset);
                let outcome = match page.await {
                    Ok(items) if items.is_empty() => return None,
                    Ok(items) => pager.take_page(items),
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
