//! The operations the fake serves, named as fault and setting targets, and a table with one
//! entry per route (the per-route state every new route gets for free).

use std::fmt;
use std::str::FromStr;

/// One of the operations the fake serves, as a fault and setting target.
///
/// The variants are the spec's operationIds, as the SDK's `OperationId` names them; parsing
/// (the fake binary's `--fault ROUTE=…`) takes either spelling, case-insensitively:
/// `createKeys` or `CreateKeys`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Route {
    /// `GET /key` (`getCurrentKey`)
    GetCurrentKey,
    /// `GET /keys` (`list`)
    List,
    /// `POST /keys` (`createKeys`)
    CreateKeys,
    /// `GET /keys/{hash}` (`getKey`)
    GetKey,
    /// `PATCH /keys/{hash}` (`updateKeys`)
    UpdateKeys,
    /// `DELETE /keys/{hash}` (`deleteKeys`)
    DeleteKeys,
    /// `GET /guardrails` (`listGuardrails`)
    ListGuardrails,
    /// `GET /guardrails/{id}` (`getGuardrail`)
    GetGuardrail,
    /// `GET /guardrails/assignments/keys` (`listKeyAssignments`)
    ListKeyAssignments,
    /// `GET /guardrails/{id}/assignments/keys` (`listGuardrailKeyAssignments`)
    ListGuardrailKeyAssignments,
    /// `POST /guardrails/{id}/assignments/keys` (`bulkAssignKeysToGuardrail`)
    BulkAssignKeysToGuardrail,
    /// `POST /guardrails/{id}/assignments/keys/remove` (`bulkUnassignKeysFromGuardrail`)
    BulkUnassignKeysFromGuardrail,
    /// `GET /workspaces` (`listWorkspaces`)
    ListWorkspaces,
    /// `GET /workspaces/{id}` (`getWorkspace`)
    GetWorkspace,
}

impl Route {
    /// Every route.
    pub const ALL: [Route; 14] = [
        Route::GetCurrentKey,
        Route::List,
        Route::CreateKeys,
        Route::GetKey,
        Route::UpdateKeys,
        Route::DeleteKeys,
        Route::ListGuardrails,
        Route::GetGuardrail,
        Route::ListKeyAssignments,
        Route::ListGuardrailKeyAssignments,
        Route::BulkAssignKeysToGuardrail,
        Route::BulkUnassignKeysFromGuardrail,
        Route::ListWorkspaces,
        Route::GetWorkspace,
    ];

    /// The spec's operationId of the route.
    pub fn operation_id(self) -> &'static str {
        match self {
            Route::GetCurrentKey => "getCurrentKey",
            Route::List => "list",
            Route::CreateKeys => "createKeys",
            Route::GetKey => "getKey",
            Route::UpdateKeys => "updateKeys",
            Route::DeleteKeys => "deleteKeys",
            Route::ListGuardrails => "listGuardrails",
            Route::GetGuardrail => "getGuardrail",
            Route::ListKeyAssignments => "listKeyAssignments",
            Route::ListGuardrailKeyAssignments => "listGuardrailKeyAssignments",
            Route::BulkAssignKeysToGuardrail => "bulkAssignKeysToGuardrail",
            Route::BulkUnassignKeysFromGuardrail => "bulkUnassignKeysFromGuardrail",
            Route::ListWorkspaces => "listWorkspaces",
            Route::GetWorkspace => "getWorkspace",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.operation_id())
    }
}

/// The routes `Route::from_str` takes, for help and error texts.
pub const ROUTE_SYNTAX: &str = "getCurrentKey, list, createKeys, getKey, updateKeys, \
deleteKeys, listGuardrails, getGuardrail, listKeyAssignments, listGuardrailKeyAssignments, \
bulkAssignKeysToGuardrail, bulkUnassignKeysFromGuardrail, listWorkspaces, getWorkspace (any case)";

impl FromStr for Route {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Route::ALL
            .into_iter()
            .find(|r| r.operation_id().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown route `{s}`; use one of {ROUTE_SYNTAX}"))
    }
}

/// One `T` per route, indexed by [`Route`]: a new route added to `Route::ALL` gets its entry
/// without any other change.
#[derive(Debug)]
pub(crate) struct PerRoute<T>([T; Route::ALL.len()]);

impl<T: Default> Default for PerRoute<T> {
    fn default() -> Self {
        PerRoute(std::array::from_fn(|_| T::default()))
    }
}

impl<T> PerRoute<T> {
    pub fn get(&self, route: Route) -> &T {
        &self.0[route.index()]
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_parse_in_either_spelling_and_unknown_ones_list_the_valid_names() {
        for spelling in ["createKeys", "CreateKeys", "createkeys"] {
            assert_eq!(spelling.parse::<Route>().unwrap(), Route::CreateKeys);
        }
        for (route, pascal) in Route::ALL.into_iter().zip([
            "GetCurrentKey",
            "List",
            "CreateKeys",
            "GetKey",
            "UpdateKeys",
            "DeleteKeys",
            "ListGuardrails",
            "GetGuardrail",
            "ListKeyAssignments",
            "ListGuardrailKeyAssignments",
            "BulkAssignKeysToGuardrail",
            "BulkUnassignKeysFromGuardrail",
            "ListWorkspaces",
            "GetWorkspace",
        ]) {
            // The variant's name (as Debug shows it) parses back to it.
            assert_eq!(format!("{route:?}"), pascal);
            assert_eq!(pascal.parse::<Route>().unwrap(), route);
            assert_eq!(route.operation_id().parse::<Route>().unwrap(), route);
        }
        let unknown_route = "nope".parse::<Route>().unwrap_err();
        assert!(unknown_route.contains("createKeys"), "{unknown_route}");
    }

    #[test]
    fn the_route_syntax_names_every_route() {
        for route in Route::ALL {
            let named = ROUTE_SYNTAX
                .split([',', ' '])
                .any(|word| word == route.operation_id());
            assert!(named, "{route} is missing from ROUTE_SYNTAX");
        }
    }

    #[test]
    fn each_route_has_its_own_entry() {
        let table: PerRoute<std::sync::atomic::AtomicU64> = PerRoute::default();
        use std::sync::atomic::Ordering::SeqCst;
        table.get(Route::GetKey).fetch_add(3, SeqCst);
        let values: Vec<u64> = table.iter().map(|v| v.load(SeqCst)).collect();
        assert_eq!(values[..6], [0, 0, 0, 3, 0, 0]);
        assert!(values[6..].iter().all(|v| *v == 0));
    }
}
