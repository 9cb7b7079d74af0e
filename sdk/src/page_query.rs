//! The `offset` and `limit` of the listings that page by both (guardrails, key assignments,
//! workspaces): the checked limit, and, through [`paged_by_offset_and_limit!`], the setters
//! their requests share and their [`Paged`](crate::pagination::Paged) declaration.

use crate::error::{Error, Result};
use crate::input_field::InputField;
use std::num::NonZeroU64;

/// The largest page OpenRouter's published spec allows (`limit`, at most 100).
pub(crate) const MAX_LIMIT: u32 = 100;

/// Where a page starts and how long it is; `None`: the API's default (offset 0, 50 records).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PageQuery {
    pub offset: Option<u64>,
    pub limit: Option<u32>,
}

impl PageQuery {
    /// The offset as the generated builder takes it.
    pub fn offset_param(&self) -> Option<i64> {
        self.offset.map(|offset| offset.min(i64::MAX as u64) as i64)
    }

    /// The limit, checked to be from 1 to 100 before anything is sent.
    pub fn checked_limit(&self) -> Result<Option<NonZeroU64>> {
        match self.limit {
            None => Ok(None),
            Some(limit @ 1..=MAX_LIMIT) => Ok(NonZeroU64::new(u64::from(limit))),
            Some(other) => Err(Error::invalid(
                InputField::PageLimit,
                format!("a page holds from 1 to {MAX_LIMIT} records, not {other}"),
            )),
        }
    }
}

/// Declares a listing that pages by `offset` and `limit` (its operation type has a
/// `page: PageQuery` field): the `offset` and `limit` setters of its `Request`, and its
/// [`Paged`](crate::pagination::Paged) declaration, whose items are told apart by `$id` (what
/// identifies one, and what it says that two listings of it must agree on), and whose answer
/// `$page` reads as its items and its total.
///
/// A macro rather than a generic `impl<Op: …> Request<'_, Op>`: the setters are inherent
/// methods of each request type (as `Request<'_, ListKeys>::offset` is), and a bound on a
/// crate-private trait would put that trait in the public interface.
macro_rules! paged_by_offset_and_limit {
    (
        $op:ty => $item:ty,
        items: $items:literal,
        by_hand: $by_hand:literal,
        contradiction: $contradiction:literal,
        id: |$it:ident| $id:expr,
        page: $page:path $(,)?
    ) => {
        impl<'c> $crate::request::Request<'c, $op> {
            #[doc = concat!(
                "Skip this many ", $items, ": the first page starts at 0, the next at the \
                 number of ", $items, " received so far."
            )]
            pub fn offset(mut self, offset: u64) -> Self {
                self.operation.page.offset = Some(offset);
                self
            }

            #[doc = concat!(
                "At most this many ", $items, " a page, from 1 to 100 (OpenRouter's default is \
                 50). Another value makes the call fail with \
                 [`Error::InvalidInput`](crate::Error::InvalidInput) when awaited, before \
                 anything is sent."
            )]
            pub fn limit(mut self, limit: u32) -> Self {
                self.operation.page.limit = Some(limit);
                self
            }
        }

        impl $crate::pagination::Paged for $op {
            type Item = $item;
            const LISTING: $crate::pagination::Listing = $crate::pagination::Listing {
                operation: <$op as $crate::exchange::Exchange>::RULES.id,
                items: $items,
                by_hand: $by_hand,
                contradiction: $contradiction,
            };
            fn offset(&self) -> u64 {
                self.page.offset.unwrap_or(0)
            }
            fn set_offset(&mut self, offset: u64) {
                self.page.offset = Some(offset);
            }
            fn id($it: &$item) -> (&str, &str) {
                $id
            }
            fn send_page(
                request: $crate::request::Request<'_, Self>,
            ) -> ::futures_util::future::BoxFuture<
                '_,
                $crate::error::Result<$crate::pagination::Page<$item>>,
            > {
                $crate::pagination::send_page(request)
            }
        }

        impl $crate::pagination::PagedExchange for $op {
            fn page(
                wire: <Self as $crate::exchange::Exchange>::Wire,
            ) -> (Vec<$item>, Option<u64>) {
                $page(wire)
            }
        }
    };
}
pub(crate) use paged_by_offset_and_limit;

/// The generated request builder `$request` with the offset and limit of `$page` (a
/// [`PageQuery`]) set, those the caller gave. A macro: each operation's builder is its own
/// type, with its own `offset` and `limit` methods.
macro_rules! with_page {
    ($request:expr, $page:expr) => {{
        let mut request = $request;
        if let Some(offset) = $page.offset_param() {
            request = request.offset(offset);
        }
        if let Ok(Some(limit)) = $page.checked_limit() {
            request = request.limit(limit);
        }
        request
    }};
}
pub(crate) use with_page;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_from_one_to_a_hundred_is_sent_and_another_refused() {
        let page = |limit| PageQuery {
            offset: None,
            limit: Some(limit),
        };
        assert_eq!(page(1).checked_limit().unwrap(), NonZeroU64::new(1));
        assert_eq!(page(100).checked_limit().unwrap(), NonZeroU64::new(100));
        assert_eq!(PageQuery::default().checked_limit().unwrap(), None);
        for bad in [0, 101, u32::MAX] {
            match page(bad).checked_limit() {
                Err(Error::InvalidInput { what, reason, .. }) => {
                    assert_eq!(what, InputField::PageLimit);
                    assert!(reason.contains(&bad.to_string()), "{reason}");
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        let far = PageQuery {
            offset: Some(u64::MAX),
            limit: None,
        };
        assert_eq!(far.offset_param(), Some(i64::MAX));
    }
}
