//! `into_stream()` and `all()` of a listing that pages by offset ([`Paged`]: `GET /keys`
//! behind `list_all()` and `Keys::all()`, and the counted listings of guardrails, key
//! assignments and workspaces): every item, page after page.
//!
//! The stream keeps the filters and per-call options of the request it came from and ends
//! after yielding the first error. It is boxed, so that it is `Unpin` and `try_next()` works on
//! it without pinning (one allocation per listing).
//!
//! When to stop. `GET /keys` gives no total, no cursor and no documented page size, so its
//! pager asks page after page until one is empty. The counted listings give `total_count`
//! with every page: their pager stops as soon as the distinct items listed (counted from the
//! request's offset) reach the total of the latest page, without asking for an empty page.
//! The total moves while a listing is read (items created or deleted meanwhile), so the
//! latest page's total is the one that counts, never the first's. (That `total_count` counts
//! what the listing returns across its pages is OpenRouter's published spec; that it is
//! computed with the page it comes with, and so moves with the list, is our inference.)
//!
//! Offsets are positions in a list that can change between two pages, and a server can get
//! paging wrong, so the pager remembers every item it has yielded, by what tells it apart
//! (a key's hash; an assignment's key and guardrail):
//! - an item seen again (items created or deleted while listing shift the offsets) is
//!   yielded once;
//! - a non-empty page without a single new item ends the stream with a [`ListingError`]
//!   ([`ListingErrorKind::RepeatedPage`]): the server repeated a page (it ignores `offset`, or
//!   the list moved by a whole page), and asking for the next offset could go on forever;
//! - a page at an offset at or past the total it gives that still holds new items ends it
//!   too ([`ListingErrorKind::PastTotal`]): a consistent server has nothing there, so the
//!   pager asks past the total at most once (when items are missing after a shift), and a
//!   server that invents items cannot keep it asking;
//! - an item listed again saying something else ends it ([`ListingErrorKind::Contradiction`]):
//!   a key holding two guardrails, in the key assignments, where a key holds at most one.
//!
//! Memory: two 64-bit digests per distinct item (what tells it apart, and what it says), not
//! its text (some 40 bytes an item with the map's overhead, about 4 MB for 100,000 keys, where
//! the hashes' text would take more), released when the stream is dropped; `all()` keeps the
//! items themselves, which are far larger. Digests are keyed at random per listing (SipHash
//! through `RandomState`), so no server can aim two ids at one digest; by chance, two of
//! 100,000 keys share one about once in 3·10⁹ listings, and the second would be skipped as
//! seen. There is no cap on the number of items: an account may own many, and every page must
//! bring a new one, so paging ends as soon as the server stops inventing items. A caller who
//! wants a bound takes one (`list_all().take(n)`).

use crate::client::Client;
use crate::error::{Error, Result};
use crate::exchange::{Exchange, ReadError, WireResult};
use crate::listing_error::{ListingError, ListingErrorKind};
use crate::operation_id::OperationId;
use crate::options::CallOptions;
use crate::redact::Redactor;
use crate::request::{Operation, Request, sealed};
use crate::rules::{Refusal, Rules};
use crate::transport::AttemptIo;
use futures_util::Stream;
use futures_util::future::BoxFuture;
use openrouter_keys_codegen as codegen;
use reqwest::header::HeaderValue;
use secrecy::SecretString;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
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
    /// What tells two items apart (a key's hash, an assignment's key), and what an item says
    /// that two listings of it must agree on (an assignment's guardrail; `""` when nothing).
    fn id(item: &Self::Item) -> (&str, &str);
    #[doc(hidden)]
    /// Sends `request` for one page: its items, the total it gives, and how it was answered.
    fn send_page(request: Request<'_, Self>) -> BoxFuture<'_, Result<Page<Self::Item>>>;
}

/// What a listing's errors say about it, declared with its operation.
#[doc(hidden)]
#[derive(Debug)]
pub struct Listing {
    /// The operation that lists.
    pub(crate) operation: OperationId,
    /// What it lists, in the plural (`keys`).
    pub(crate) items: &'static str,
    /// How to ask for one page by hand, in code (`client.keys().list().offset(n)`).
    pub(crate) by_hand: &'static str,
    /// What an item listed twice saying two things is, in words (for the error).
    pub(crate) contradiction: &'static str,
}

/// One page as the pager reads it.
#[doc(hidden)]
#[derive(Debug)]
pub struct Page<T> {
    /// Its items, in the order listed.
    pub(crate) items: Vec<T>,
    /// The total the listing gives (`total_count`), if it gives one.
    pub(crate) total: Option<u64>,
    /// Attempts its request took.
    pub(crate) attempts: u32,
    /// Its request id, if any (unscrubbed: the pager scrubs what it keeps).
    pub(crate) request_id: Option<HeaderValue>,
}

impl<'c, Op: Paged> Request<'c, Op> {
    /// Every item matching this request's filters, from its offset on, fetched page by page
    /// until the listing's total is reached (the guardrail, assignment and workspace listings
    /// give one with every page) or a page comes back empty. The stream ends after the first
    /// error, which it yields.
    ///
    /// An item that comes back on a later page (items created or deleted while listing shift
    /// the offsets) is yielded once. Pages that cannot be the list together end the stream
    /// with an [`Error::Listing`]: a non-empty page without a single item not yet listed (the
    /// server repeated a page: it ignores `offset`), a page past the listing's total that
    /// still holds new items, an item listed again saying something else (a key holding two
    /// guardrails). The stream keeps two 64-bit digests of every item it yielded (about 40
    /// bytes an item) until it is dropped.
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

/// A listing operation whose answer the pager reads as a [`Page`]: its items and its total.
pub(crate) trait PagedExchange: Exchange + Paged {
    /// The items of one page's answer, and the total it gives, if any.
    fn page(wire: Self::Wire) -> (Vec<Self::Item>, Option<u64>);
}

/// [`Paged::send_page`] of an operation declared in this crate.
pub(crate) fn send_page<Op: PagedExchange>(
    request: Request<'_, Op>,
) -> BoxFuture<'_, Result<Page<Op::Item>>> {
    let Request {
        client,
        operation,
        options,
    } = request;
    PageOf(operation).send(client, options)
}

/// A listing operation whose call answers a [`Page`] (how many attempts it took, its request
/// id and its total) rather than its items alone: the same request, checks and retries.
struct PageOf<Op>(Op);

impl<Op: PagedExchange> sealed::Sealed for PageOf<Op> {}

impl<Op: PagedExchange> Operation for PageOf<Op> {
    type Output = Page<Op::Item>;
    fn send(self, client: &Client, options: CallOptions) -> BoxFuture<'_, Result<Self::Output>> {
        crate::exchange::boxed(self, client, options)
    }
}

impl<Op: PagedExchange> Exchange for PageOf<Op> {
    const RULES: &'static Rules = Op::RULES;
    type Wire = Op::Wire;
    type Body = Op::Body;
    fn check(&self) -> Result<Self::Body> {
        self.0.check()
    }
    fn secret(&self) -> Option<&SecretString> {
        self.0.secret()
    }
    fn build(
        &self,
        generated: &codegen::Client,
        body: &Self::Body,
    ) -> WireResult<reqwest::Request> {
        self.0.build(generated, body)
    }
    fn read_error(response: reqwest::Response) -> ReadError<Self::Wire> {
        Op::read_error(response)
    }
    fn output(wire: Self::Wire) -> Page<Op::Item> {
        let (items, total) = Op::page(wire);
        // How it was answered is filled in by `answered`, which every success passes.
        Page {
            items,
            total,
            attempts: 0,
            request_id: None,
        }
    }
    fn answered(page: &mut Page<Op::Item>, io: &AttemptIo) {
        page.attempts = io.number;
        page.request_id = io.request_id.clone();
    }
    fn refusal(wire: &Self::Wire) -> Option<Refusal> {
        Op::refusal(wire)
    }
}

struct Pager<'c, Op: Paged> {
    request: Request<'c, Op>,
    /// Where the listing started.
    start: u64,
    /// The offset to ask for next.
    offset: u64,
    buffered: VecDeque<Op::Item>,
    /// For the id of every item yielded (or buffered to be), what it said: digests of both.
    seen: HashMap<u64, u64>,
    /// The random key of those digests.
    digest: RandomState,
    done: bool,
}

impl<Op: Paged> Pager<'_, Op> {
    /// Buffers the items of `page` not seen before, and decides whether to ask for another;
    /// an error when the page cannot belong with the ones before (see the module
    /// documentation).
    fn take_page(&mut self, page: Page<Op::Item>) -> Result<()> {
        let Page {
            items,
            total,
            attempts,
            request_id,
        } = page;
        if items.is_empty() {
            self.done = true;
            return Ok(());
        }
        let page_len = items.len();
        let before = self.buffered.len();
        for item in items {
            let (id, says) = Op::id(&item);
            let says = self.digest.hash_one(says);
            match self.seen.entry(self.digest.hash_one(id)) {
                Entry::Vacant(entry) => {
                    entry.insert(says);
                    self.buffered.push_back(item);
                }
                Entry::Occupied(entry) if *entry.get() == says => {}
                Entry::Occupied(_) => {
                    return Err(self.error(ListingErrorKind::Contradiction, attempts, &request_id));
                }
            }
        }
        let new_items = self.buffered.len() - before;
        if new_items == 0 {
            return Err(self.error(
                ListingErrorKind::RepeatedPage { page_len },
                attempts,
                &request_id,
            ));
        }
        if let Some(total) = total {
            if self.offset >= total {
                return Err(self.error(
                    ListingErrorKind::PastTotal { total, new_items },
                    attempts,
                    &request_id,
                ));
            }
            // Everything the latest page counts has been listed.
            let listed = self.seen.len() as u64;
            if self.start.saturating_add(listed) >= total {
                self.done = true;
            }
        }
        self.offset = self.offset.saturating_add(page_len as u64);
        Ok(())
    }

    /// The error of the page just read, at `self.offset`.
    #[cold]
    fn error(
        &self,
        kind: ListingErrorKind,
        attempts: u32,
        request_id: &Option<HeaderValue>,
    ) -> Error {
        let listing = &Op::LISTING;
        let redactor = Redactor::new(&self.request.client.shared.transport.api_key, None)
            .with_headers(&self.request.options.headers);
        Error::Listing(Box::new(ListingError {
            operation: listing.operation,
            kind,
            offset: self.offset,
            // The items this page brought are not yielded.
            listed: (self.seen.len() - self.buffered.len()) as u64,
            attempts,
            request_id: request_id.as_ref().map(|id| redactor.header(id)),
            items: listing.items,
            by_hand: listing.by_hand,
            contradiction: listing.contradiction,
        }))
    }
}

fn stream<Op: Paged>(
    request: Request<'_, Op>,
) -> impl Stream<Item = Result<Op::Item>> + Send + Unpin + '_ {
    let start = request.operation.offset();
    let pager = Pager {
        start,
        offset: start,
        request,
        buffered: VecDeque::new(),
        seen: HashMap::new(),
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
                let outcome = match Op::send_page(page).await {
                    Ok(page) => pager.take_page(page),
                    Err(error) => Err(error),
                };
                if let Err(error) = outcome {
                    pager.done = true;
                    // What the failing page buffered is not yielded: the error ends the list.
                    pager.buffered.clear();
                    return Some((Err(error), pager));
                }
            }
        },
    ))
}
