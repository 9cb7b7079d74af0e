//! Which guardrail each key holds, read once for many keys: every key assignment of the
//! account (OpenRouter has no read of one key's assignment: `openapi/POLICY.md`), then the
//! guardrails' names and budgets — one listing of the workspace's guardrails, and a read by
//! id for a guardrail held from elsewhere.

use crate::context::Context;
use crate::error::CliResult;
use futures_util::TryStreamExt;
use openrouter_keys::{ApiErrorKind, Guardrail};
use std::collections::{HashMap, HashSet};

/// The guardrail a key holds, as far as it could be read.
#[derive(Debug, Clone)]
pub struct HeldGuardrail {
    pub id: String,
    /// `None` when the guardrail could not be read (a 404: a workspace's default guardrail
    /// whose configuration was never written, or one deleted since) or has no name.
    pub guardrail: Option<Guardrail>,
}

/// The id of the guardrail held by each of `hashes` that holds one (a key missing from the
/// map holds none): every assignment of the account, read once.
pub async fn assignments_of(
    ctx: &Context,
    hashes: &HashSet<&str>,
) -> CliResult<HashMap<String, String>> {
    ctx.client()?
        .guardrails()
        .list_all_key_assignments()
        .try_filter(|assignment| std::future::ready(hashes.contains(assignment.key_hash.as_str())))
        .map_ok(|assignment| (assignment.key_hash, assignment.guardrail_id))
        .try_collect()
        .await
        .map_err(|e| ctx.api_error("reading guardrails failed", &e))
}

/// The guardrail held by each of `hashes` that holds one (a key missing from the map holds
/// none). `workspace` is where most of them live (`--workspace`, else the default one).
pub async fn held_by(
    ctx: &Context,
    hashes: &HashSet<&str>,
    workspace: Option<&str>,
) -> CliResult<HashMap<String, HeldGuardrail>> {
    let client = ctx.client()?;
    let read_failed = |e: &openrouter_keys::Error| ctx.api_error("reading guardrails failed", e);
    let held = assignments_of(ctx, hashes).await?;
    if held.is_empty() {
        return Ok(HashMap::new());
    }
    let mut listing = client.guardrails().list().limit(100);
    if let Some(workspace) = workspace {
        listing = listing.workspace_id(workspace);
    }
    let mut guardrails: HashMap<String, Guardrail> = listing
        .all()
        .await
        .map_err(|e| read_failed(&e))?
        .into_iter()
        .map(|guardrail| (guardrail.id.clone(), guardrail))
        .collect();
    let elsewhere: HashSet<&String> = held
        .values()
        .filter(|id| !guardrails.contains_key(*id))
        .collect();
    for id in elsewhere {
        match client.guardrails().get(id.as_str()).await {
            Ok(guardrail) => {
                guardrails.insert(id.clone(), guardrail);
            }
            Err(e) if e.as_api().is_some_and(|a| a.kind == ApiErrorKind::NotFound) => {}
            Err(e) => return Err(read_failed(&e)),
        }
    }
    Ok(held
        .into_iter()
        .map(|(hash, id)| {
            let guardrail = guardrails.get(&id).cloned();
            (hash, HeldGuardrail { id, guardrail })
        })
        .collect())
}
