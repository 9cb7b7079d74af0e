//! The command line, declared with clap's derive: every command, flag and help text.
//!
//! Parsing only: each command's behaviour lives in `commands/`, one file per command.

use crate::audit::Rule;
use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};
use std::path::PathBuf;
use std::time::Duration;

/// Examples and exit codes, listed in `--help` (codes kept in step with `exit.rs`).
const EXIT_CODES: &str = "\
Examples:
  openrouter-keys list --match 'student-*' --sort usage --reverse
  openrouter-keys create --name ci --limit 25 --reset monthly --secret-file ci.key
  openrouter-keys bulk-create students.csv --secrets-out secrets.csv --limit 15
  openrouter-keys disable --match 'student-*' --dry-run
  openrouter-keys rotate --match 'ci-*' --then disable --secrets-out rotated.csv
  openrouter-keys report --format html --out usage.html
  openrouter-keys audit --all-workspaces --max-lifetime 90d --format json

Exit codes:
    0  success
    1  the API or the system failed (error message on stderr)
    2  usage error (a bad flag, an input file that cannot be read), or a change
       not made: refused (no TTY to confirm and no --yes) or answered no
    3  partial bulk failure: some rows or keys failed, the rest succeeded (rerun
       to finish)
    4  outcome unknown: a create may or may not have happened (rerun bulk
       commands to reconcile)
    5  settling (bulk-create, rotate with --no-wait): done, except that creates
       which ended without a clear answer may still make a key until the time
       said; rerun after it
    6  audit: findings (the keys are listed; 0 when there is none)
  130  interrupted (Ctrl-C); bulk commands resume when run again with the same
       arguments

The API key comes from --api-key-file, else OPENROUTER_API_KEY,
OPENROUTER_MANAGEMENT_KEY or OPENROUTER_PROVISIONING_KEY (the first one set).
The base URL from --base-url, else OPENROUTER_BASE_URL. Data goes to stdout,
progress and diagnostics to stderr; NO_COLOR turns colour off.";

/// Manage OpenRouter API keys: list, create, update, rotate and report, with exactly-once
/// bulk provisioning and secrets handled like secrets.
#[derive(Debug, Parser)]
#[command(name = "openrouter-keys", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Settings every command shares, listed under their own heading after each command's own
/// options.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Read the API key from this file (first line) instead of the environment.
    #[arg(value_hint = ValueHint::FilePath, long, global = true, value_name = "PATH")]
    pub api_key_file: Option<PathBuf>,
    /// API base URL [default: OPENROUTER_BASE_URL, else https://openrouter.ai/api/v1].
    #[arg(value_hint = ValueHint::Url, long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Time allowed for each HTTP attempt (e.g. 10s, 500ms).
    #[arg(value_hint = ValueHint::Other, long, global = true, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Attempts per API call for calls safe to repeat (creates are never repeated blindly).
    #[arg(value_hint = ValueHint::Other, long, global = true, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    pub attempts: u32,
    /// Print no progress or summaries on stderr (errors still go there).
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the key the CLI authenticates with (GET /key).
    Whoami(WhoamiArgs),
    /// List keys, streamed page by page (memory stays flat unless --sort is given).
    List(ListArgs),
    /// Show one key.
    Get(GetArgs),
    /// Create one key. Its secret goes to stdout (only when stdout is not a terminal, or with
    /// --show-secret) or to --secret-file.
    Create(CreateArgs),
    /// Change name, limit, reset or BYOK setting of one key or of every key matching --match
    /// (disabled and expired keys included).
    Update(UpdateArgs),
    /// Enable one key or every disabled key matching --match.
    Enable(ChangeArgs),
    /// Disable one key or every active key matching --match.
    Disable(ChangeArgs),
    /// Delete one key or every key matching --match (disabled and expired keys included).
    Delete(ChangeArgs),
    /// Create one key per CSV row, exactly once, even across failures and reruns.
    BulkCreate(BulkCreateArgs),
    /// Delete every key listed in a file (a secrets file, or `list --format csv|json|ndjson`).
    BulkDelete(BulkDeleteArgs),
    /// Replace keys with new ones bounded as they were (settings, workspace, creator, guardrail;
    /// the old lifetime from now), verify them, then retire the old ones.
    // Only active keys are rotated (a replacement is an active key): the shared filters'
    // --include-disabled and --include-expired are accepted, for the journals' fingerprint,
    // and refused with a reason, but not offered.
    #[command(
        mut_arg("include_disabled", |arg| arg.hide(true)),
        mut_arg("include_expired", |arg| arg.hide(true)),
        // On two lines: clap never wraps the usage line, and on one it is 82 columns.
        override_usage = "openrouter-keys rotate [OPTIONS] --secrets-out <FILE>\n       \
                          <HASH|--match <GLOB>>"
    )]
    Rotate(RotateArgs),
    /// Usage report: totals, keys near their limit, top spenders.
    Report(ReportArgs),
    /// Check keys against policy rules (limits, expiry, lifetime, use, guardrails); read-only.
    /// Exit 6 when there are findings, 0 when there are none.
    Audit(AuditArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

impl Command {
    /// Whether the command calls the API (and so needs an API key). Only `completions`
    /// does not.
    pub fn uses_api(&self) -> bool {
        !matches!(self, Command::Completions(_))
    }
}

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// `table`: the key's settings and usage for people; `json`: the same as one object
    /// with stable field names.
    #[arg(long, value_enum, default_value_t = DetailFormat::Table)]
    pub format: DetailFormat,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// The key's hash.
    #[arg(value_hint = ValueHint::Other)]
    pub hash: String,
    /// `table`: the key's fields for people; `json`: the key as one object with stable
    /// field names (those of `list --format json`).
    #[arg(long, value_enum, default_value_t = DetailFormat::Table)]
    pub format: DetailFormat,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell the script is for.
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

/// The shells `completions` writes a script for: those whose scripts the tests load and
/// complete with (clap_complete also writes elvish and PowerShell scripts, which nothing
/// here has tried).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DetailFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Ndjson,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortKey {
    Name,
    Usage,
    Created,
    Remaining,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Reset {
    Daily,
    Weekly,
    Monthly,
}

/// What `rotate` does with an old key once its replacement works. Journaled in `retired`
/// records by the same words (`"disable"`, `"delete"`, `"keep"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Then {
    Disable,
    Delete,
    Keep,
}

impl Then {
    /// The verb, for messages (`disable`, `cannot delete old key …`).
    pub fn verb(self) -> &'static str {
        match self {
            Then::Disable => "disable",
            Then::Delete => "delete",
            Then::Keep => "keep",
        }
    }

    /// What became of an old key, for summaries (`old keys: disabled`).
    pub fn done(self) -> &'static str {
        match self {
            Then::Disable => "disabled",
            Then::Delete => "deleted",
            Then::Keep => "kept",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Html,
    Csv,
}

/// Which keys a listing covers.
#[derive(Debug, Clone, Default, Args)]
pub struct Filters {
    /// Include disabled keys.
    #[arg(long)]
    pub include_disabled: bool,
    /// Include expired keys.
    #[arg(long)]
    pub include_expired: bool,
    /// Only keys of this workspace (id) [default: the default workspace].
    #[arg(value_hint = ValueHint::Other, long, value_name = "ID")]
    pub workspace: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filters: Filters,
    /// Only keys whose name matches this glob (repeatable: any may match; a glob starting
    /// with `sk-` also matches labels).
    #[arg(value_hint = ValueHint::Other, long = "match", value_name = "GLOB")]
    pub patterns: Vec<String>,
    /// Sort by this field. Sorting reads every key into memory before printing.
    #[arg(long, value_enum)]
    pub sort: Option<SortKey>,
    /// Reverse the order (largest first with --sort usage).
    #[arg(long, requires = "sort")]
    pub reverse: bool,
    /// `table`: columns for people, fitted to the terminal (hashes shortened to 12
    /// characters, names cut with …; see --wide); `json`: one array of keys; `ndjson`: one
    /// key per line; `csv`: for spreadsheets (a cell that would start a formula is
    /// prefixed with `'`). JSON, NDJSON and CSV have the same stable fields.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// The table with every value whole (hashes, names, amounts), however wide: what it
    /// shows when stdout is not a terminal.
    #[arg(long, short)]
    pub wide: bool,
    /// Every workspace's keys, each once, with its workspace (a table column) [default: one
    /// workspace, see --workspace].
    #[arg(long, conflicts_with = "workspace")]
    pub all_workspaces: bool,
}

/// Settings of a key to create (flags of `create`, defaults of `bulk-create`).
#[derive(Debug, Clone, Default, Args)]
pub struct KeySettings {
    /// Spending limit in USD (0 to 1000000000).
    #[arg(value_hint = ValueHint::Other, long, value_name = "USD", allow_negative_numbers = true, value_parser = parse_usd)]
    pub limit: Option<f64>,
    /// How often the limit resets.
    #[arg(long, value_enum)]
    pub reset: Option<Reset>,
    /// Expiry: a date (2027-06-30, meaning the end of that day in UTC, 23:59:59Z) or an
    /// RFC 3339 time (2027-06-30T12:00:00Z).
    #[arg(value_hint = ValueHint::Other, long, value_name = "DATE|RFC3339", conflicts_with = "expires_in")]
    pub expires_at: Option<String>,
    /// Expiry relative to now (e.g. 30d, 12h).
    #[arg(value_hint = ValueHint::Other, long, value_name = "DURATION", value_parser = parse_duration)]
    pub expires_in: Option<Duration>,
    /// Count bring-your-own-key usage against the limit.
    #[arg(long)]
    pub include_byok: bool,
    /// Workspace (id) to create the key in.
    #[arg(value_hint = ValueHint::Other, long, value_name = "ID")]
    pub workspace: Option<String>,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The key's name.
    #[arg(value_hint = ValueHint::Other, long)]
    pub name: String,
    #[command(flatten)]
    pub settings: KeySettings,
    /// Write the secret to this new file (mode 0600) instead of stdout.
    #[arg(value_hint = ValueHint::FilePath, long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,
    /// Replace an existing --secret-file.
    #[arg(long)]
    pub force: bool,
    /// Print the secret even when stdout is a terminal.
    #[arg(long)]
    pub show_secret: bool,
    /// `table`: the secret alone on stdout (with --secret-file: the key's hash); `json`: the
    /// key and its secret as one object (with --secret-file: the file's path as
    /// `secret_file` instead of the secret).
    #[arg(long, value_enum, default_value_t = DetailFormat::Table)]
    pub format: DetailFormat,
}

/// One key by hash, or every key matching globs.
#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = false, id = "target_group")]
pub struct Target {
    /// The key's hash.
    #[arg(value_hint = ValueHint::Other, group = "target_group")]
    pub hash: Option<String>,
    /// Every key whose name matches this glob (repeatable; a glob starting with `sk-` also
    /// matches labels).
    #[arg(value_hint = ValueHint::Other, long = "match", value_name = "GLOB", group = "target_group")]
    pub patterns: Vec<String>,
}

/// Preview and confirmation of a change.
#[derive(Debug, Clone, Copy, Args)]
pub struct Confirm {
    /// Do it without asking (needed when stdin is not a terminal).
    #[arg(long, short)]
    pub yes: bool,
    /// Show what would change, change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// A change to keys by hash or `--match`. Disabled and expired keys that match are selected
/// too (the user named them); `enable` and `disable` leave alone, and count, the keys that
/// already are.
#[derive(Debug, Clone, Args)]
pub struct ChangeArgs {
    #[command(flatten)]
    pub target: Target,
    /// Only keys of this workspace (id) [default: the default workspace].
    #[arg(value_hint = ValueHint::Other, long, value_name = "ID")]
    pub workspace: Option<String>,
    /// Every workspace's keys matching --match, each once (the preview names each key's
    /// workspace) [default: one workspace, see --workspace].
    #[arg(long, conflicts_with_all = ["workspace", "hash"])]
    pub all_workspaces: bool,
    #[command(flatten)]
    pub confirm: Confirm,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    #[command(flatten)]
    pub change: ChangeArgs,
    /// New name (one key only).
    #[arg(value_hint = ValueHint::Other, long)]
    pub name: Option<String>,
    /// New spending limit in USD (0 to 1000000000).
    #[arg(value_hint = ValueHint::Other, long, value_name = "USD", allow_negative_numbers = true, value_parser = parse_usd, conflicts_with = "no_limit")]
    pub limit: Option<f64>,
    /// Remove the spending limit.
    #[arg(long)]
    pub no_limit: bool,
    /// New reset interval.
    #[arg(long, value_enum, conflicts_with = "no_reset")]
    pub reset: Option<Reset>,
    /// Make the limit never reset.
    #[arg(long)]
    pub no_reset: bool,
    /// Whether BYOK usage counts against the limit.
    #[arg(long, value_name = "BOOL")]
    pub include_byok: Option<bool>,
}

#[derive(Debug, Args)]
pub struct BulkCreateArgs {
    /// CSV with a `name` column and optional `limit`, `limit_reset`, `expires_at` (a date
    /// or an RFC 3339 time, as --expires-at), `include_byok_in_limit` columns (no others).
    #[arg(value_hint = ValueHint::FilePath)]
    pub file: PathBuf,
    /// Where the secrets go (CSV `row,name,hash,key`, mode 0600). The journal is kept next to
    /// it as FILE.journal; rerunning the same command resumes from it.
    #[arg(value_hint = ValueHint::FilePath, long, value_name = "FILE")]
    pub secrets_out: PathBuf,
    #[command(flatten)]
    pub batch: BatchOptions,
    /// Start a new batch even though --secrets-out exists: the file is replaced when the
    /// batch writes it. A journal (FILE.journal) is never replaced: rerunning its batch's
    /// command resumes it; for another batch, move it away first.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub defaults: KeySettings,
}

/// How long after a create ended without a clear answer the API may still make its key and
/// list it, when `--settle` is not given. Our choice, an assumption no source states: the
/// CLI gives a create call at most 120 s, all attempts included (each `--timeout`); a server
/// still working on a create after its client gave up is one slower than the client allowed,
/// and we give it as long again. That also covers a listing that shows new keys seconds late
/// (none is documented or observed). A server slower than that needs a larger `--settle`.
pub const DEFAULT_SETTLE: &str = "2m";

/// How a batch runs. None of these changes what a batch creates, so none is part of its
/// fingerprint: a rerun may change them.
#[derive(Debug, Clone, Copy, Args)]
pub struct BatchOptions {
    /// Rows worked on at once (creates, and rotate's checks and retirements); fewer while
    /// OpenRouter asks to slow down (429, 503), and no new request before a Retry-After.
    #[arg(value_hint = ValueHint::Other, long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// How long after a create ended without a clear answer (a timeout, a 5xx, a cut
    /// connection) OpenRouter may still make its key and list it. Before exiting 0 the batch
    /// waits until then, and checks again. Our assumption, not a documented bound.
    #[arg(value_hint = ValueHint::Other, long, value_name = "DURATION", default_value = DEFAULT_SETTLE, value_parser = parse_duration)]
    pub settle: Duration,
    /// Do not wait for creates that may still take effect: exit 5, naming them and the time
    /// after which a rerun of the same command settles them.
    #[arg(long)]
    pub no_wait: bool,
}

#[derive(Debug, Args)]
pub struct BulkDeleteArgs {
    /// A CSV with a `hash` column, a JSON array of keys (or hashes), or NDJSON; `-` reads
    /// it from stdin (then --yes or --dry-run: stdin is taken, no prompt can be answered).
    #[arg(value_hint = ValueHint::FilePath)]
    pub file: PathBuf,
    /// Deletes in flight at once.
    #[arg(value_hint = ValueHint::Other, long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    #[command(flatten)]
    pub confirm: Confirm,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    #[command(flatten)]
    pub target: Target,
    #[command(flatten)]
    pub filters: Filters,
    /// What to do with each old key once its replacement is verified.
    #[arg(long, value_enum, default_value_t = Then::Disable)]
    pub then: Then,
    /// Every replacement's expiry: a date (2027-06-30, the end of that day in UTC) or an RFC
    /// 3339 time [default: each old key's lifetime (created to expiry) counted from now; no
    /// expiry only for a key that had none].
    #[arg(value_hint = ValueHint::Other, long, value_name = "DATE|RFC3339", conflicts_with = "expires_in")]
    pub expires_at: Option<String>,
    /// Every replacement's expiry relative to now (e.g. 90d) [default: as --expires-at's].
    #[arg(value_hint = ValueHint::Other, long, value_name = "DURATION", value_parser = parse_duration)]
    pub expires_in: Option<Duration>,
    /// Where the new secrets go (CSV `name,hash,key,replaces`, mode 0600); the journal is
    /// kept next to it as FILE.journal.
    #[arg(value_hint = ValueHint::FilePath, long, value_name = "FILE")]
    pub secrets_out: PathBuf,
    /// Replace an existing --secrets-out that no rotation journal belongs to. A journal
    /// (FILE.journal) is never replaced: rerunning its command resumes an unfinished rotation,
    /// and a finished one is refused; to rotate again, use a new --secrets-out.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub batch: BatchOptions,
    #[command(flatten)]
    pub confirm: Confirm,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub filters: Filters,
    /// Every workspace's keys, each once [default: one workspace, see --workspace].
    #[arg(long, conflicts_with = "workspace")]
    pub all_workspaces: bool,
    /// Only keys whose name matches this glob (repeatable).
    #[arg(value_hint = ValueHint::Other, long = "match", value_name = "GLOB")]
    pub patterns: Vec<String>,
    /// `table`: text for a terminal; `html`: one self-contained page (a chart, a legend,
    /// when and for what it was made); `csv`: one row per key, for spreadsheets.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Write the report to this file instead of stdout.
    #[arg(value_hint = ValueHint::FilePath, long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Table,
    Json,
    Csv,
}

/// How long before its expiry a key is reported (`audit --expiring-within`), when not told.
/// Our choice, no source states one: two weeks give a weekly CI run two chances to warn
/// before a key stops working, time to rotate it and move its apps; and a key of a 30-day
/// lifetime is flagged only in its last half, not for most of its life.
pub const DEFAULT_EXPIRING_WITHIN: &str = "14d";

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub filters: Filters,
    /// Every workspace's keys, each once [default: one workspace, see --workspace].
    #[arg(long, conflicts_with = "workspace")]
    pub all_workspaces: bool,
    /// Only keys whose name matches this glob (repeatable; a glob starting with `sk-` also
    /// matches labels).
    #[arg(value_hint = ValueHint::Other, long = "match", value_name = "GLOB")]
    pub patterns: Vec<String>,
    /// Report keys that expire within this time (e.g. 30d, 12h).
    #[arg(value_hint = ValueHint::Other, long, value_name = "DURATION", default_value = DEFAULT_EXPIRING_WITHIN, value_parser = parse_duration)]
    pub expiring_within: Duration,
    /// The account's maximum key lifetime (e.g. 90d): report keys whose lifetime
    /// (created_at to expires_at) is longer, or that never expire. OpenRouter rejects requests
    /// from such keys when the account sets one; no API reads the setting, so say it here.
    #[arg(value_hint = ValueHint::Other, long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_lifetime: Option<Duration>,
    /// Report keys last used this many days ago or more, and keys never used that were
    /// created this many days ago or more.
    #[arg(value_hint = ValueHint::Other, long, value_name = "DAYS", default_value_t = 30)]
    pub idle_days: u32,
    /// Leave this rule out (repeatable).
    #[arg(long = "skip", value_enum, value_name = "RULE")]
    pub skip: Vec<Rule>,
    /// `table`: findings grouped by key, each with its fix, then a summary; `json`: an array
    /// of {rule, hash, name, workspace_id, detail, fix}; `csv`: the same columns, for
    /// spreadsheets. With json and csv the summary goes to stderr.
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
}

/// `30d`, `12h`, `500ms`, ... (humantime's syntax).
/// A spending limit as a flag takes it: a plain number (negative ones too, so that the bound
/// check in `key_spec` can say what is wrong with them, instead of clap taking `-5` for a flag).
fn parse_usd(text: &str) -> Result<f64, String> {
    text.trim().parse().map_err(|_| {
        format!("`{text}` is not an amount of USD: write a plain number, such as 25 or 0.5")
    })
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text)
        .map_err(|e| format!("`{text}` is not a duration like 30d or 500ms: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_argument_of_every_command_says_what_it_is_for() {
        fn undocumented(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in command.get_arguments() {
                let builtin = matches!(arg.get_id().as_str(), "help" | "version");
                if !builtin && arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in command.get_subcommands() {
                undocumented(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        let command = Cli::command();
        undocumented(&command, command.get_name(), &mut missing);
        assert_eq!(missing, Vec::<String>::new(), "arguments without help text");
    }

    /// Every command and subcommand, built (globals propagated), with its path.
    fn every_command() -> Vec<(String, clap::Command)> {
        fn walk(command: &clap::Command, path: &str, all: &mut Vec<(String, clap::Command)>) {
            all.push((path.to_string(), command.clone()));
            for sub in command.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), all);
            }
        }
        let mut command = Cli::command();
        command.build();
        let mut all = Vec::new();
        walk(&command, "openrouter-keys", &mut all);
        all
    }

    #[test]
    fn every_value_says_what_completes_it() {
        // A value without a hint completes as a file name in every shell.
        let mut unhinted = Vec::new();
        for (path, command) in every_command() {
            for arg in command.get_arguments() {
                let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values());
                let chosen = !arg.get_possible_values().is_empty();
                if takes_value && !chosen && arg.get_value_hint() == ValueHint::Unknown {
                    unhinted.push(format!("{path} {}", arg.get_id()));
                }
            }
        }
        assert_eq!(unhinted, Vec::<String>::new(), "values without a ValueHint");
    }

    #[test]
    fn every_help_lists_global_options_under_their_own_heading_after_the_commands() {
        let globals: Vec<String> = Cli::command()
            .get_arguments()
            .filter(|a| a.is_global_set())
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .collect();
        for (path, mut command) in every_command() {
            if path.contains(" help") {
                continue;
            }
            let help = command.render_help().to_string();
            let Some((own, global)) = help.split_once("\nGlobal options:\n") else {
                panic!("{path}: no Global options heading:\n{help}");
            };
            for flag in &globals {
                assert!(global.contains(flag.as_str()), "{path}: {flag}:\n{help}");
                assert!(
                    !own.contains(&format!("{flag} ")),
                    "{path}: {flag}:\n{help}"
                );
            }
            assert!(
                own.contains("-h, --help"),
                "{path}: own options first:\n{help}"
            );
        }
    }

    #[test]
    fn a_then_action_has_one_spelling_in_flags_journal_and_messages() {
        for then in Then::value_variants() {
            let flag = then
                .to_possible_value()
                .expect("a value")
                .get_name()
                .to_string();
            assert_eq!(then.verb(), flag);
            assert_eq!(serde_json::to_string(then).unwrap(), format!("\"{flag}\""));
        }
    }
}
