//! `list`: every key, streamed page by page to the chosen format.
//!
//! Without `--sort`, each page is written as it arrives and dropped, so memory stays flat
//! however many keys there are (`--all-workspaces` keeps only the hashes seen, to list each
//! key once). `--sort` needs every row first: it collects them.

use crate::cli::{ListArgs, SortKey};
use crate::context::Context;
use crate::error::CliResult;
use crate::exit::Exit;
use crate::print::Printer;
use crate::render::{ListWriter, Shown, TableWidth, printable};
use crate::select::{LeftOut, Matcher, keys_in};
use futures_util::TryStreamExt;
use openrouter_keys::Key;
use openrouter_keys::time::OffsetDateTime;

pub async fn run(ctx: &Context, args: &ListArgs) -> CliResult<Exit> {
    let matcher = Matcher::new(&args.patterns)?;
    let width = match args.wide {
        true => TableWidth::Unlimited,
        false => ctx.print.table_width(),
    };
    let shows = Shown {
        status: args.filters.include_disabled || args.filters.include_expired,
        workspace: args.all_workspaces,
    };
    // `GET /keys` lists one workspace (`openapi/POLICY.md`): the table says which. Whether
    // the account has others would cost a request on every run.
    let workspace = match (&args.filters.workspace, args.all_workspaces) {
        (_, true) => "every workspace".to_string(),
        (Some(id), false) => format!("workspace {}", printable(id)),
        (None, false) => "the default workspace".to_string(),
    };
    let caption = match (&args.filters.workspace, args.all_workspaces) {
        (None, false) => {
            format!("keys of {workspace} (--workspace ID or --all-workspaces lists others)")
        }
        _ => format!("keys of {workspace}"),
    };
    let mut writer =
        ListWriter::new(args.format, ctx.print.data_stream()).table(width, shows, caption);
    // Every key is asked for, and the filters applied here: the keys they leave out are
    // counted and said (a `list > file` then `bulk-delete file` must not miss them unsaid).
    let mut stream = keys_in(
        ctx.client()?,
        args.filters.workspace.as_deref(),
        args.all_workspaces,
    );
    let mut sorted: Vec<Key> = Vec::new();
    let now = OffsetDateTime::now_utc();
    let mut left_out = LeftOut::default();
    while let Some(key) = stream
        .try_next()
        .await
        .map_err(|e| ctx.api_error("listing keys failed", &e))?
    {
        if !matcher.matches(&key) || !left_out.admits(&args.filters, &key, now) {
            continue;
        }
        if args.sort.is_some() {
            sorted.push(key);
        } else {
            writer.write(&key).map_err(Printer::stdout_failed)?;
        }
    }
    if let Some(by) = args.sort {
        sort(&mut sorted, by);
        if args.reverse {
            sorted.reverse();
        }
        for key in &sorted {
            writer.write(key).map_err(Printer::stdout_failed)?;
        }
    }
    let written = writer.finish().map_err(Printer::stdout_failed)?;
    if written == 0 {
        // An empty table prints nothing at all: say why on stderr.
        match args.patterns.is_empty() {
            true => ctx.print.note(format_args!("no key in {workspace}")),
            false => ctx
                .print
                .note(format_args!("no key in {workspace} matches --match")),
        }
    }
    if left_out.total() > 0 {
        ctx.print.note(format_args!(
            "{} matching key(s) not listed: {}",
            left_out.total(),
            left_out.describe("lists")
        ));
    }
    Ok(Exit::Success)
}

fn sort(keys: &mut [Key], by: SortKey) {
    match by {
        SortKey::Name => keys.sort_by(|a, b| a.name.cmp(&b.name)),
        // A usage the API did not send sorts as 0.
        SortKey::Usage => keys.sort_by(|a, b| {
            let used = |k: &Key| k.usage.total.unwrap_or(0.0);
            used(a).total_cmp(&used(b))
        }),
        SortKey::Created => keys.sort_by(|a, b| {
            let parsed = |k: &Key| k.created_at.as_ref().and_then(|t| t.datetime());
            let text = |k: &Key| k.created_at.as_ref().map(|t| t.as_str().to_string());
            parsed(a)
                .cmp(&parsed(b))
                .then_with(|| text(a).cmp(&text(b)))
        }),
        // Keys without a limit have unlimited remaining: they sort last.
        SortKey::Remaining => keys.sort_by(|a, b| {
            let left = |k: &Key| k.limit_remaining.unwrap_or(f64::INFINITY);
            left(a).total_cmp(&left(b))
        }),
    }
}
