//! Choosing keys: `--match` globs over names and labels, listings with filters, and the
//! preview-then-confirm step every change goes through.
//!
//! A change never happens unasked: with `--dry-run` it is only shown; without `--yes` it is
//! confirmed on a terminal, and refused (exit 2) when stdin is not a terminal.

use crate::cli::{Confirm, Filters, Target};
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::given_hash;
use crate::key_state::is_expired;
use crate::shell::single_quoted;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use globset::{Glob, GlobSet, GlobSetBuilder};
use openrouter_keys::time::OffsetDateTime;
use openrouter_keys::{Client, Key, ListKeys, Request};
use std::collections::HashSet;
use std::future::IntoFuture;

/// Globs matched against a key's name, and against its label for globs that start with
/// `sk-`. That a label may look like a shortened key (`sk-or-v1-0e6...1c96`) is our
/// assumption, not a documented fact; the rule keeps `s*` from matching every key by such a
/// label. No glob matches every key.
pub struct Matcher {
    set: Option<GlobSet>,
    labels: Option<GlobSet>,
}

impl Matcher {
    pub fn new(patterns: &[String]) -> CliResult<Self> {
        if patterns.is_empty() {
            return Ok(Self {
                set: None,
                labels: None,
            });
        }
        let mut names = GlobSetBuilder::new();
        let mut labels = GlobSetBuilder::new();
        for pattern in patterns {
            let glob = Glob::new(pattern)
                .map_err(|e| CliError::usage(format!("--match `{pattern}`: {e}")))?;
            if pattern.starts_with("sk-") {
                labels.add(glob.clone());
            }
            names.add(glob);
        }
        let build = |b: GlobSetBuilder| {
            b.build()
                .map_err(|e| CliError::usage(format!("--match: {e}")))
        };
        Ok(Self {
            set: Some(build(names)?),
            labels: Some(build(labels)?),
        })
    }

    pub fn matches(&self, key: &Key) -> bool {
        match (&self.set, &self.labels) {
            (Some(names), Some(labels)) => {
                key.name.as_deref().is_some_and(|n| names.is_match(n))
                    || key.label.as_deref().is_some_and(|l| labels.is_match(l))
            }
            _ => true,
        }
    }
}

/// `GET /keys` for keys in every state (the callers count what their filters leave out), of
/// `workspace` (else the default one).
fn listing<'c>(client: &'c Client, workspace: Option<&str>) -> Request<'c, ListKeys> {
    let request = client
        .keys()
        .list()
        .include_disabled(true)
        .include_expired(true);
    match workspace {
        Some(workspace) => request.workspace_id(workspace),
        None => request,
    }
}

/// Every key, in every state, page after page: of one workspace (`workspace`, else the
/// default one), or with `every_workspace` of each workspace `GET /workspaces` lists, in its
/// order. `GET /keys` lists one workspace at a time (`openapi/POLICY.md`, "Workspaces"). A key
/// is yielded once even if it moves to a workspace listed later while the listing runs; only
/// the hashes seen are held, so memory stays small.
pub fn keys_in<'c>(
    client: &'c Client,
    workspace: Option<&str>,
    every_workspace: bool,
) -> BoxStream<'c, openrouter_keys::Result<Key>> {
    let one = listing(client, workspace);
    if !every_workspace {
        let Some(given) = workspace.map(str::to_string) else {
            return one.into_stream().boxed();
        };
        // The spec does not say what `GET /keys?workspace_id=` answers for an id that names
        // no workspace (a typo, or a slug: `GET /workspaces/{id}` takes one, POLICY.md); an
        // empty list (as the testkit's fake answers) would read as "no key here". Our
        // choice: read the workspace first, so that a wrong one is an error and a slug
        // becomes the id the listing needs. One request more per run.
        return futures_util::stream::once(client.workspaces().get(given).into_future())
            .map_ok(move |workspace| one.clone().workspace_id(workspace.id).into_stream())
            .try_flatten()
            .boxed();
    }
    let mut seen = HashSet::new();
    client
        .workspaces()
        .list_all()
        .map_ok(move |workspace| one.clone().workspace_id(workspace.id).into_stream())
        .try_flatten()
        .try_filter(move |key| std::future::ready(seen.insert(key.hash.clone())))
        .boxed()
}

/// Matching keys that a listing's filters leave out, counted so that it can be said: a
/// selection never omits matching keys silently.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LeftOut {
    pub disabled: usize,
    /// Expired and not disabled (a key both is counted as disabled).
    pub expired: usize,
}

impl LeftOut {
    /// Whether `filters` admit `key`; counts it when they do not. Disabled and expired as
    /// the API says (`disabled`, `expires_at` passed on this machine's clock).
    pub fn admits(&mut self, filters: &Filters, key: &Key, now: OffsetDateTime) -> bool {
        if key.disabled == Some(true) {
            if !filters.include_disabled {
                self.disabled += 1;
                return false;
            }
        } else if is_expired(key, now) && !filters.include_expired {
            self.expired += 1;
            return false;
        }
        true
    }

    pub fn total(&self) -> usize {
        self.disabled + self.expired
    }

    /// `3 disabled (--include-disabled VERB them), 1 expired (--include-expired VERB them)`.
    pub fn describe(&self, verb: &str) -> String {
        let mut parts = Vec::new();
        if self.disabled > 0 {
            parts.push(format!(
                "{} disabled (--include-disabled {verb} them)",
                self.disabled
            ));
        }
        if self.expired > 0 {
            parts.push(format!(
                "{} expired (--include-expired {verb} them)",
                self.expired
            ));
        }
        parts.join(", ")
    }
}

/// Every key matching the globs, in every state; the caller decides which it acts on. Of
/// one workspace (`workspace`, else the default one), or with `every_workspace` of every
/// workspace, each key once (see [`keys_in`]).
pub async fn matching_keys(
    ctx: &Context,
    workspace: Option<&str>,
    every_workspace: bool,
    matcher: &Matcher,
) -> CliResult<Vec<Key>> {
    let mut keys = Vec::new();
    let mut stream = keys_in(ctx.client()?, workspace, every_workspace);
    while let Some(key) = stream
        .try_next()
        .await
        .map_err(|e| ctx.api_error("listing keys failed", &e))?
    {
        if matcher.matches(&key) {
            keys.push(key);
        }
    }
    Ok(keys)
}

/// Every key matching the globs that `filters` admit (of every workspace with
/// `every_workspace`), and how many matching keys they left out.
pub async fn filtered_keys(
    ctx: &Context,
    filters: &Filters,
    every_workspace: bool,
    matcher: &Matcher,
) -> CliResult<(Vec<Key>, LeftOut)> {
    let workspace = filters.workspace.as_deref();
    let mut keys = matching_keys(ctx, workspace, every_workspace, matcher).await?;
    let now = OffsetDateTime::now_utc();
    let mut left_out = LeftOut::default();
    keys.retain(|key| left_out.admits(filters, key, now));
    Ok((keys, left_out))
}

/// The keys a command acts on: the one `HASH`, or every key matching `--match` in every
/// state (disabled and expired included: the user named them; the command says which it
/// leaves alone), of one workspace or, with `every_workspace`, of every workspace.
pub async fn resolve(
    ctx: &Context,
    target: &Target,
    workspace: Option<&str>,
    every_workspace: bool,
) -> CliResult<Vec<Key>> {
    if let Some(hash) = &target.hash {
        let hash = given_hash::checked(hash, "the HASH argument")?;
        let key = ctx.client()?.keys().get(hash).await.map_err(|e| {
            ctx.api_error(&format!("cannot read key {}", given_hash::shown(hash)), &e)
        })?;
        return Ok(vec![key]);
    }
    let matcher = Matcher::new(&target.patterns)?;
    matching_keys(ctx, workspace, every_workspace, &matcher).await
}

/// Shows what will happen and decides whether to go on: `Ok(true)` to act, `Ok(false)` for a
/// dry run (nothing to do), an error when the change is refused.
///
/// In a dry run the plan is the command's output and goes to stdout; otherwise it is a
/// preview for the operator and goes to stderr.
///
/// `aside` says which matching keys are left out and why (on stderr, after the plan).
pub async fn preview_and_confirm(
    ctx: &Context,
    confirm: Confirm,
    action: &str,
    lines: &[String],
    aside: Option<&str>,
) -> CliResult<bool> {
    let print = ctx.print;
    if lines.is_empty() {
        match aside {
            Some(aside) => print.note(format_args!("no key to {action} ({aside})")),
            None => print.note(format_args!("no key to {action}")),
        }
        return Ok(false);
    }
    let say_aside = || {
        if let Some(aside) = aside {
            print.note(aside);
        }
    };
    let plan = format!(
        "{} {} {} key(s):\n{}",
        if confirm.dry_run { "would" } else { "will" },
        action,
        lines.len(),
        lines.iter().map(|l| format!("  {l}\n")).collect::<String>()
    );
    if confirm.dry_run {
        print.record(plan.trim_end());
        say_aside();
        print.note("dry run: nothing was changed");
        return Ok(false);
    }
    if confirm.yes {
        print.note(plan.trim_end());
        say_aside();
        return Ok(true);
    }
    if !print.stdin_is_terminal() {
        return Err(CliError::usage(format!(
            "refusing to {action} {} key(s) without confirmation: stdin is not a terminal",
            lines.len()
        ))
        .hint("pass --yes to go ahead, or --dry-run to see the plan"));
    }
    // Ctrl-C at the prompt is seen by `main` (the answer is read on another thread).
    ctx.interrupt
        .set(|| "interrupted at the prompt: nothing was changed".into());
    let aside = aside.map(|a| format!("{a}\n")).unwrap_or_default();
    let answer = print
        .ask(&format!("{plan}{aside}Proceed? [y/N] "))
        .await
        .map_err(|e| CliError::failure(format!("cannot read the answer: {e}")))?;
    ctx.interrupt.clear();
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(true)
    } else {
        Err(CliError::Declined)
    }
}

/// `name` as a shell word for `--match` that matches exactly that name: glob characters
/// escaped with `\\` (globset's escape), the whole in single quotes.
pub fn literal_glob_arg(name: &str) -> String {
    let mut glob = String::with_capacity(name.len() + 2);
    for c in name.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\') {
            glob.push('\\');
        }
        glob.push(c);
    }
    single_quoted(&glob)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_literal_glob_matches_only_its_name() {
        let name = "it's a *[b]?";
        let arg = literal_glob_arg(name);
        assert_eq!(arg, r"'it'\''s a \*\[b\]\?'");
        // What the shell passes on: the quotes removed.
        let glob = arg[1..arg.len() - 1].replace(r"'\''", "'");
        // Compiled as `Matcher` compiles globs.
        let matcher = Glob::new(&glob).unwrap().compile_matcher();
        assert!(matcher.is_match(name));
        assert!(!matcher.is_match("it's a xb!"));
    }
}
