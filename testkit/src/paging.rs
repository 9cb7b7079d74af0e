//! Paging by `offset` and `limit` with a `total_count`, as the guardrail, key-assignment and
//! workspace listings of OpenRouter's published spec do (`GET /keys` pages by `offset` only,
//! with its own page size: `store.rs`).

use crate::store::{Answer, error};
use serde_json::{Value, json};

/// Records a page holds when the request names no `limit` (the published spec's default).
pub const DEFAULT_LIMIT: usize = 50;
/// The largest `limit` the published spec allows.
pub const MAX_LIMIT: usize = 100;

/// The query of a paged listing, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageQuery {
    pub offset: usize,
    pub limit: usize,
    /// `workspace_id`, for the listings that take it (`GET /guardrails`).
    pub workspace_id: Option<String>,
}

impl Default for PageQuery {
    fn default() -> Self {
        PageQuery {
            offset: 0,
            limit: DEFAULT_LIMIT,
            workspace_id: None,
        }
    }
}

/// The `name=value` pairs of a query string, in order (a name without `=` has an empty
/// value).
pub(crate) fn query_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
}

/// An `offset` parameter's value; a 400 answer when it is not a non-negative integer.
pub(crate) fn parse_offset(value: &str) -> Result<usize, Answer> {
    value
        .parse()
        .map_err(|_| error(400, "offset must be a non-negative integer"))
}

impl PageQuery {
    /// Parses `offset=..&limit=..&workspace_id=..`; an invalid value is a 400 answer, and
    /// other parameters are ignored.
    pub fn parse(query: &str) -> Result<PageQuery, Answer> {
        let mut parsed = PageQuery::default();
        for (name, value) in query_pairs(query) {
            match name {
                "offset" => parsed.offset = parse_offset(value)?,
                "limit" => {
                    parsed.limit = value
                        .parse()
                        .ok()
                        .filter(|limit| (1..=MAX_LIMIT).contains(limit))
                        .ok_or_else(|| {
                            error(
                                400,
                                &format!("limit must be an integer from 1 to {MAX_LIMIT}"),
                            )
                        })?;
                }
                "workspace_id" => parsed.workspace_id = Some(value.to_string()),
                _ => {}
            }
        }
        Ok(parsed)
    }

    /// The page of `items` this query asks for, with the count of all of them.
    pub fn page(&self, items: impl ExactSizeIterator<Item = Value>) -> Answer {
        let total = items.len();
        let data: Vec<Value> = items.skip(self.offset).take(self.limit).collect();
        (200, json!({ "data": data, "total_count": total }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_and_limit_pick_the_page_and_the_total_counts_all() {
        let query = PageQuery::parse("offset=2&limit=2&other=x").unwrap();
        let (status, body) = query.page((0..5).map(|n| json!(n)));
        assert_eq!(status, 200);
        assert_eq!(body, json!({"data": [2, 3], "total_count": 5}));
        let past_the_end = PageQuery::parse("offset=9").unwrap();
        assert_eq!(
            past_the_end.page((0..5).map(|n| json!(n))).1,
            json!({"data": [], "total_count": 5})
        );
        assert_eq!(PageQuery::parse("").unwrap().limit, DEFAULT_LIMIT);
    }

    #[test]
    fn a_limit_outside_one_to_a_hundred_or_a_bad_offset_is_a_400() {
        for bad in ["limit=0", "limit=101", "limit=x", "offset=-1", "offset="] {
            let answer = PageQuery::parse(bad).unwrap_err();
            assert_eq!(answer.0, 400, "{bad}");
        }
        assert_eq!(PageQuery::parse("limit=100").unwrap().limit, 100);
    }
}
