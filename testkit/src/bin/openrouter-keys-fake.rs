//! Runs the fake OpenRouter keys server on a chosen port, for clients in any language.
//!
//! ```text
//! openrouter-keys-fake [--port 8089] [--page-size 100] [--fault ROUTE=FAULT[*N]]...
//! ```
//! `ROUTE` is an operationId (`createKeys`, `list`, ...), in any case (`CreateKeys`, the
//! testkit's `Route` variant, works too); `FAULT` is `500`, `502:html`, `503:empty`,
//! `429:retry=2`, `429:date=2`, `429:ms=150`, `delay=1500`, `close-before`, `close-after`,
//! `truncate` or `invalid-json`; `*N` repeats it for the next N requests. `--help` says all this.

use openrouter_keys_testkit::{FAULT_SYNTAX, FakeServer, Fault, ROUTE_SYNTAX, Route};
use std::process::ExitCode;

const USAGE: &str =
    "usage: openrouter-keys-fake [--port PORT] [--page-size N] [--fault ROUTE=FAULT[*N]]...";

/// `--help`: usage, every option, and the fault syntax.
fn help() -> String {
    format!(
        "openrouter-keys-fake: a fake of OpenRouter's API-key management API on 127.0.0.1, with \
         fault injection.\n\n{USAGE}\n\n\
         Options:\n  \
           --port PORT             port to listen on (default 8089; 0 picks a free one)\n  \
           --page-size N           keys per page of GET /keys (default 100)\n  \
           --fault ROUTE=FAULT[*N] answer the next N (default 1) requests of ROUTE with FAULT;\n  \
                                   repeatable, queued in order\n  \
           -h, --help              this text\n\n\
         ROUTE: {ROUTE_SYNTAX}\n\n\
         FAULT: {FAULT_SYNTAX}\n\n\
         Faults other than a status and close-before act first (the key is created, updated or \
         deleted) and then lose or spoil the answer.\n\n\
         Example:\n  \
           openrouter-keys-fake --port 8089 --fault createKeys=503*2 --fault list=429:retry=1\n"
    )
}

struct Args {
    port: u16,
    page_size: usize,
    faults: Vec<(Route, Fault, usize)>,
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

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        port: 8089,
        page_size: 100,
        faults: Vec::new(),
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
            eprintln!("error: {e}\n{USAGE}\n(--help lists the routes and faults)");
            return ExitCode::from(2);
        }
    };
    let server = match FakeServer::builder()
        .port(args.port)
        .page_size(args.page_size)
        .start()
        .await
    {
        Ok(server) => server,
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{}: {e}", args.port);
            return ExitCode::from(1);
        }
    };
    for (route, fault, times) in args.faults {
        server.inject_n(route, fault, times);
    }
    println!("OpenRouter keys fake listening. In another shell, copy and paste:");
    println!();
    println!("  export OPENROUTER_BASE_URL={}", server.base_url());
    println!("  export OPENROUTER_API_KEY={}", server.management_key());
    println!();
    println!("(a management key; a normal key, for GET /key only:");
    println!("  OPENROUTER_API_KEY={} )", server.normal_key());
    println!("Ctrl-C stops it.");
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}
