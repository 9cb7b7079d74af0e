//! Runs the fake OpenRouter keys server on a chosen port, for clients in any language.
//!
//! ```text
//! openrouter-keys-fake [--port 8089] [--page-size 100] [--fault ROUTE=FAULT[*N]]...
//!     [--latency ROUTE=MILLISECONDS]... [--rate-limit ROUTE=REQUESTS/UNIT[:burst=N]]...
//!     [--listing-lag MILLISECONDS[:new-keys]] [--workspace NAME]...
//!     [--guardrail NAME[=USD[/INTERVAL]]]...
//! ```
//! `ROUTE` is an operationId (`createKeys`, `list`, ...), in any case (`CreateKeys`, the
//! testkit's `Route` variant, works too), or `all` for `--latency` and `--rate-limit`;
//! `FAULT` is `500`, `502:html`, `503:empty`, `429:retry=2`, `429:date=2`, `429:ms=150`,
//! `delay=1500`, `late=2000`, `close-before`, `close-after`, `truncate` or `invalid-json`;
//! `*N` repeats it for the next N requests. `--workspace` and `--guardrail` add workspaces and
//! guardrails (in the default workspace) at start; their ids are printed. `--help` says all
//! this; the syntax texts are the library's `*_SYNTAX` constants, shared with its parsers'
//! error messages.

use openrouter_keys_testkit::{
    DURATION_SYNTAX, FAULT_SYNTAX, FakeServer, FakeServerBuilder, Fault, GUARDRAIL_SYNTAX,
    LISTING_LAG_SYNTAX, ListingLag, NewGuardrail, NewWorkspace, RATE_LIMIT_SYNTAX, ROUTE_SYNTAX,
    Route, TokenBucket, parse_duration,
};
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage: openrouter-keys-fake [--port PORT] [--page-size N] \
[--fault ROUTE=FAULT[*N]]... [--latency ROUTE=MILLISECONDS]... \
[--rate-limit ROUTE=REQUESTS/UNIT[:burst=N]]... [--listing-lag MILLISECONDS[:new-keys]] \
[--workspace NAME]... [--guardrail NAME[=USD[/INTERVAL]]]...";

/// Each option and what it does, for `--help`: the description is wrapped under itself.
const OPTIONS: &[(&str, &str)] = &[
    (
        "--port PORT",
        "port to listen on (default 8089; 0 picks a free one)",
    ),
    ("--page-size N", "keys per page of GET /keys (default 100)"),
    (
        "--fault ROUTE=FAULT[*N]",
        "answer the next N (default 1) requests of ROUTE with FAULT; repeatable, queued in order",
    ),
    (
        "--latency ROUTE=MILLISECONDS",
        "every request of ROUTE (or `all` routes) takes at least this long to answer; \
         concurrent requests wait side by side; repeatable",
    ),
    (
        "--rate-limit ROUTE=REQUESTS/UNIT[:burst=N]",
        "a token bucket for ROUTE (or each of `all` routes): a request finding it empty gets \
         429 with Retry-After (the seconds until a token is available, rounded up) and has no \
         effect; repeatable",
    ),
    (
        "--listing-lag MILLISECONDS[:new-keys]",
        "GET /keys shows changes that long after they took effect (GET /keys/{hash} and the \
         key's secret work at once)",
    ),
    (
        "--workspace NAME",
        "a workspace besides the default one (its slug: the name in lower case, words joined \
         by -); repeatable",
    ),
    (
        "--guardrail NAME[=USD[/INTERVAL]]",
        "a guardrail in the default workspace, to assign keys to; repeatable. The ids of both \
         are printed at start",
    ),
    ("-h, --help", "this text"),
];

/// Where an option's description starts, and where its lines end.
const DESCRIPTION_AT: usize = 26;
const LINE_END: usize = 80;

/// The options table: an option and its description on one line when the option is short,
/// the description on the lines below otherwise; every line of a description starts at
/// [`DESCRIPTION_AT`].
fn options_table() -> String {
    let indent = " ".repeat(DESCRIPTION_AT);
    let mut table = String::new();
    for (option, description) in OPTIONS {
        let mut line = format!("  {option}");
        if line.len() + 2 > DESCRIPTION_AT {
            table.push_str(&line);
            table.push('\n');
            line = indent.clone();
        } else {
            line.push_str(&" ".repeat(DESCRIPTION_AT - line.len()));
        }
        let mut first = true;
        for word in description.split_whitespace() {
            if !first && line.len() + 1 + word.len() > LINE_END {
                table.push_str(&line);
                table.push('\n');
                line = indent.clone();
                first = true;
            }
            if !first {
                line.push(' ');
            }
            line.push_str(word);
            first = false;
        }
        table.push_str(&line);
        table.push('\n');
    }
    table
}

/// `--help`: usage, every option, and the syntax of each value.
fn help() -> String {
    format!(
        "openrouter-keys-fake: a fake of OpenRouter's API-key management API on 127.0.0.1, with \
         fault injection.\n\n{USAGE}\n\n\
         Options:\n{options}\n\
         ROUTE: {ROUTE_SYNTAX}\n\n\
         FAULT: {FAULT_SYNTAX}\n\n\
         RATE: {RATE_LIMIT_SYNTAX}\n\n\
         LAG: {LISTING_LAG_SYNTAX}\n\n\
         GUARDRAIL: {GUARDRAIL_SYNTAX}\n\n\
         {DURATION_SYNTAX}\n\n\
         Faults other than a status and close-before act (the key is created, updated or \
         deleted) and then lose or spoil the answer; late= acts later, whatever the client \
         does meanwhile.\n\n\
         Examples:\n\
         \x20 openrouter-keys-fake --port 8089 --fault createKeys=503*2 --fault list=429:retry=1\n\
         \x20 openrouter-keys-fake --fault createKeys=late=2000 --listing-lag 3000\n\
         \x20 openrouter-keys-fake --latency all=100 --rate-limit createKeys=20/s\n\
         \x20 openrouter-keys-fake --workspace Research --guardrail ci-agents=40/weekly\n",
        options = options_table(),
    )
}

/// What the command line asks for.
#[derive(Debug)]
struct Args {
    port: u16,
    page_size: usize,
    faults: Vec<(Route, Fault, usize)>,
    latency: Vec<(Route, Duration)>,
    rate_limits: Vec<(Route, TokenBucket)>,
    listing_lag: ListingLag,
    workspaces: Vec<NewWorkspace>,
    guardrails: Vec<NewGuardrail>,
}

impl Args {
    fn builder(&self) -> FakeServerBuilder {
        let mut builder = FakeServer::builder()
            .port(self.port)
            .page_size(self.page_size)
            .listing_lag(self.listing_lag);
        for (route, latency) in &self.latency {
            builder = builder.latency(*route, *latency);
        }
        for (route, limit) in &self.rate_limits {
            builder = builder.rate_limit(*route, *limit);
        }
        builder
    }
}

fn parse_fault(spec: &str) -> Result<(Route, Fault, usize), String> {
    let (route, rest) = spec
        .split_once('=')
        .ok_or_else(|| format!("`{spec}`: expected ROUTE=FAULT"))?;
    let (fault, times) = match rest.rsplit_once('*') {
        Some((fault, n)) => (
            fault,
            n.parse::<usize>()
                .map_err(|_| format!("`{n}` is not a count"))?,
        ),
        None => (rest, 1),
    };
    Ok((route.parse()?, fault.parse()?, times))
}

/// `ROUTE=VALUE` of a setting, where ROUTE may be `all`: one entry per route it names.
fn parse_route_setting<T: Copy>(
    flag: &str,
    spec: &str,
    value_syntax: &str,
    parse_value: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<(Route, T)>, String> {
    let (routes, value) = spec
        .split_once('=')
        .ok_or_else(|| format!("{flag} `{spec}`: expected ROUTE={value_syntax}"))?;
    let routes = if routes.eq_ignore_ascii_case("all") {
        Route::ALL.to_vec()
    } else {
        vec![
            routes
                .parse::<Route>()
                .map_err(|e| format!("{flag}: {e}, or all"))?,
        ]
    };
    let value = parse_value(value).map_err(|e| format!("{flag}: {e}"))?;
    Ok(routes.into_iter().map(|route| (route, value)).collect())
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        port: 8089,
        page_size: 100,
        faults: Vec::new(),
        latency: Vec::new(),
        rate_limits: Vec::new(),
        listing_lag: ListingLag::NONE,
        workspaces: Vec::new(),
        guardrails: Vec::new(),
    };
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--port" => parsed.port = value.parse().map_err(|_| format!("bad port `{value}`"))?,
            "--page-size" => {
                parsed.page_size = value
                    .parse()
                    .map_err(|_| format!("bad page size `{value}`"))?;
            }
            "--fault" => parsed.faults.push(parse_fault(&value)?),
            "--latency" => parsed.latency.extend(parse_route_setting(
                &flag,
                &value,
                "MILLISECONDS",
                parse_duration,
            )?),
            "--rate-limit" => parsed.rate_limits.extend(parse_route_setting(
                &flag,
                &value,
                "REQUESTS/UNIT[:burst=N]",
                str::parse::<TokenBucket>,
            )?),
            "--listing-lag" => {
                parsed.listing_lag = value.parse().map_err(|e| format!("{flag}: {e}"))?;
            }
            "--workspace" => parsed
                .workspaces
                .push(value.parse().map_err(|e| format!("{flag}: {e}"))?),
            "--guardrail" => parsed
                .guardrails
                .push(value.parse().map_err(|e| format!("{flag}: {e}"))?),
            _ => return Err(format!("unknown flag `{flag}`")),
        }
    }
    Ok(parsed)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(e) if e.is_empty() => {
            print!("{}", help());
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}\n(--help lists the routes, faults and settings)");
            return ExitCode::from(2);
        }
    };
    let server = match args.builder().start().await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{}: {e}", args.port);
            return ExitCode::from(1);
        }
    };
    for (route, fault, times) in args.faults {
        server.inject_n(route, fault, times);
    }
    let workspaces = args.workspaces.into_iter().map(|workspace| {
        let name = format!("workspace {}", workspace.slug_text());
        (name, server.add_workspace(workspace))
    });
    let guardrails = args.guardrails.into_iter().map(|guardrail| {
        let name = format!("guardrail {}", guardrail.name());
        (name, server.add_guardrail(guardrail))
    });
    let mut added = Vec::new();
    for (name, id) in workspaces.chain(guardrails) {
        match id {
            Ok(id) => added.push((name, id)),
            Err(e) => {
                eprintln!("error: cannot add the {name}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    println!("OpenRouter keys fake listening. In another shell, copy and paste:");
    println!();
    println!("  export OPENROUTER_BASE_URL={}", server.base_url());
    println!("  export OPENROUTER_API_KEY={}", server.management_key());
    println!();
    println!("(a management key; a normal key, for GET /key only:");
    println!("  OPENROUTER_API_KEY={} )", server.normal_key());
    for (name, id) in added {
        println!("{name}: {id}");
    }
    println!("Ctrl-C stops it.");
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_args(args: &[&str]) -> Result<Args, String> {
        parse(args.iter().map(|a| a.to_string()))
    }

    #[test]
    fn settings_parse_per_route_or_for_all_routes() {
        let args = parse_args(&[
            "--latency",
            "createKeys=100",
            "--latency",
            "all=2s",
            "--rate-limit",
            "CreateKeys=20/s:burst=5",
            "--listing-lag",
            "3000:new-keys",
            "--fault",
            "createKeys=late=2000*3",
        ])
        .unwrap();
        assert_eq!(args.latency.len(), 1 + Route::ALL.len());
        assert_eq!(
            args.latency[0],
            (Route::CreateKeys, Duration::from_millis(100))
        );
        assert!(
            args.latency[1..]
                .iter()
                .all(|(_, d)| *d == Duration::from_secs(2))
        );
        assert_eq!(
            args.rate_limits,
            [(Route::CreateKeys, TokenBucket::per_second(20).burst(5))]
        );
        assert_eq!(
            args.listing_lag,
            ListingLag::new_keys(Duration::from_secs(3))
        );
        assert_eq!(
            args.faults,
            [(Route::CreateKeys, Fault::late(Duration::from_secs(2)), 3)]
        );
        let all = parse_args(&["--rate-limit", "all=1/h"]).unwrap();
        let routes: Vec<Route> = all.rate_limits.iter().map(|(r, _)| *r).collect();
        assert_eq!(routes, Route::ALL);
    }

    #[test]
    fn a_bad_setting_says_what_to_write() {
        for (args, expected) in [
            (["--latency", "createKeys"], "expected ROUTE=MILLISECONDS"),
            (["--latency", "rotate=100"], "or all"),
            (["--latency", "list=soon"], "1500ms"),
            (["--rate-limit", "list=20"], "REQUESTS/UNIT"),
            (["--rate-limit", "list=20/day"], "unknown unit `day`"),
            (["--listing-lag", "3s:old"], "MILLISECONDS[:new-keys]"),
            (["--fault", "list=late=x"], "`x` is not a duration"),
            (["--guardrail", "ci=5/yearly"], "NAME[=USD[/INTERVAL]]"),
            (["--workspace", " "], "needs a name"),
        ] {
            let error = parse_args(&args).unwrap_err();
            assert!(error.contains(expected), "{args:?}: {error}");
        }
    }

    #[test]
    fn every_line_of_an_options_description_starts_under_the_first() {
        let table = options_table();
        let lines: Vec<&str> = table.lines().collect();
        assert!(
            lines.len() > OPTIONS.len(),
            "some descriptions wrap:\n{table}"
        );
        for line in &lines {
            assert!(line.len() <= LINE_END, "{line:?}\n{table}");
            if line.trim_start().starts_with('-') {
                continue;
            }
            let blanks = line.len() - line.trim_start().len();
            assert_eq!(blanks, DESCRIPTION_AT, "{line:?}\n{table}");
        }
        assert!(table.contains(
            "  --port PORT             port to listen on (default 8089; 0 picks a free one)\n"
        ));
        assert!(table.contains(
            "  --latency ROUTE=MILLISECONDS\n                          every request of ROUTE"
        ));
    }

    #[test]
    fn help_documents_every_setting() {
        let help = help();
        for expected in [
            "--latency ROUTE=MILLISECONDS",
            "--rate-limit ROUTE=REQUESTS/UNIT[:burst=N]",
            "--listing-lag MILLISECONDS[:new-keys]",
            "--workspace NAME",
            "--guardrail NAME[=USD[/INTERVAL]]",
            GUARDRAIL_SYNTAX,
            "late=MILLISECONDS",
            RATE_LIMIT_SYNTAX,
            LISTING_LAG_SYNTAX,
            DURATION_SYNTAX,
            "Retry-After",
        ] {
            assert!(
                help.contains(expected),
                "`{expected}` missing from:\n{help}"
            );
        }
    }
}
