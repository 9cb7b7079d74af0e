//! A listing whose pages, each a good answer, do not fit together ([`ListingError`]): the
//! server repeated a page, listed items past the total it gave, or listed one item twice
//! saying two things.

use crate::error_text::Attempts;
use crate::operation_id::OperationId;
use std::fmt;

/// A listing read page by page (`into_stream()`, `all()`, `list_all()`…) that the server
/// answered inconsistently: every page was a good answer, but together they cannot be the
/// list. Paging stops there, rather than asking forever or returning a list that is not the
/// whole one.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ListingError {
    /// The operation that lists.
    pub operation: OperationId,
    /// How the pages contradict each other.
    pub kind: ListingErrorKind,
    /// The offset of the page at fault.
    pub offset: u64,
    /// Distinct items listed before it (which may not be all of them).
    pub listed: u64,
    /// Attempts the request for the page at fault took.
    pub attempts: u32,
    /// The request id of the page at fault, if any (scrubbed, as every text from the network).
    pub request_id: Option<String>,
    /// What the items are called, in the plural (`keys`).
    pub(crate) items: &'static str,
    /// How to ask for one page by hand, in code (`client.keys().list().offset(n)`).
    pub(crate) by_hand: &'static str,
    /// What an item listed twice saying two things is, in words.
    pub(crate) contradiction: &'static str,
}

/// How the pages of a listing contradict each other, in a [`ListingError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListingErrorKind {
    /// A non-empty page brought no item not listed already: the server ignores `offset`, or
    /// the list moved by a whole page while it was read. Asking for the next offset could go
    /// on forever.
    RepeatedPage {
        /// How many items the page held.
        page_len: usize,
    },
    /// A page at an offset past the total the listing gave (`total_count`, as that same page
    /// gave it) still held items not listed already: the server lists more than it counts.
    PastTotal {
        /// The total the page gave.
        total: u64,
        /// How many items not listed already it held.
        new_items: usize,
    },
    /// An item was listed again saying something else that cannot change between two
    /// listings of it: in the key assignments, one key holding two guardrails, where the API
    /// says a key holds at most one ("a key may hold at most one guardrail"). Most likely the
    /// key was assigned another guardrail while the assignments were read, and one of the two
    /// is gone.
    Contradiction,
}

impl ListingError {
    /// What to do about it: list again, since the list may have moved while it was read;
    /// how to see what the server answers, if it persists. Also part of `Display`, after
    /// `. `; `{:#}` leaves it out.
    pub fn hint(&self) -> String {
        let persists = match self.kind {
            ListingErrorKind::Contradiction => "the server lists wrongly",
            _ => "the server pages wrongly",
        };
        format!(
            "List again; if this persists, {persists}: page by hand with `{}` to see what it \
             returns",
            self.by_hand
        )
    }
}

impl fmt::Display for ListingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (items, offset, listed) = (self.items, self.offset, self.listed);
        match self.kind {
            ListingErrorKind::RepeatedPage { page_len } => write!(
                f,
                "the server repeated a page of {}: the {page_len} {items} at offset {offset} \
                 were all listed already, so it seems to ignore `offset` (or the list moved by \
                 a whole page while it was read); paging stopped after {listed} distinct \
                 {items}, which may not be all of them",
                self.operation
            )?,
            ListingErrorKind::PastTotal { total, new_items } => write!(
                f,
                "the server listed {items} past the total it gave for {}: the page at offset \
                 {offset} held {new_items} {items} not listed before, although `total_count` \
                 is {total}; paging stopped after {listed} distinct {items}",
                self.operation
            )?,
            ListingErrorKind::Contradiction => write!(
                f,
                "the {} listing contradicts itself: the page at offset {offset} shows {}; \
                 paging stopped after {listed} distinct {items}",
                self.operation, self.contradiction
            )?,
        }
        write!(f, " ({})", Attempts(self.attempts))?;
        if !f.alternate() {
            write!(f, ". {}", self.hint())?;
        }
        Ok(())
    }
}

impl std::error::Error for ListingError {}
