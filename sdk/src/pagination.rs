//! `list_all()` and `all()`: every key, by paging `GET /keys` with `offset` until a page is
//! empty.
//!
//! The API gives no total, no cursor and no documented page size; a caller that
//! makes one list call misses older keys. The stream keeps the filters and per-call options of
//! the request it came from and ends after yielding the first error. It is boxed, so that it is
//! `Unpin` and `try_next()` works on it without pinning (one allocation per listing).

use crate::error::Result;
use crate::keys::{ListKeys, Request};
use crate::model::Key;
use futures_util::Stream;
use std::collections::VecDeque;

struct Pager<'c> {
    request: Request<'c, ListKeys>,
    offset: u64,
    buffered: VecDeque<Key>,
    done: bool,
}

pub(crate) fn keys_stream(
    request: Request<'_, ListKeys>,
) -> impl Stream<Item = Result<Key>> + Send + Unpin + '_ {
    let pager = Pager {
        offset: request.page_offset(),
        request,
        buffered: VecDeque::new(),
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
                match pager.request.clone().offset(pager.offset).await {
                    Ok(page) if page.is_empty() => return None,
                    Ok(page) => {
                        pager.offset += page.len() as u64;
                        pager.buffered.extend(page);
                    }
                    Err(error) => {
                        pager.done = true;
                        return Some((Err(error), pager));
                    }
                }
            }
        },
    ))
}
