//! Runs the fake OpenRouter keys server on a chosen port, for clients in any language.
//!
//! ```text
//! openrouter-keys-fake [--port 8089] [--page-size 100] [--fault ROUTE=FAULT[*N]]...
//! ```
//! `ROUTE` is an operationId (`createKeys`, `list`, ...); `FAULT` is `500`, `502:html`,
//! `503:empty`, `429:retry=2`, `429:date=2`, `429:ms=150`, `delay=1500`, `close-before`,
//! `close-after`, `truncate` or `invalid-json`; `*N` repeats it for the next N requests.

use openrouter_keys_testkit::{FakeServer, Fault, Route};
use std::process::ExitCode;

const USAGE: &str =
    "usage: openrouter-keys-fake [--port PORT] [--page-size N] [--fault ROUTE=FAULT[*N]]...";

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
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
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
    println!("OpenRouter keys fake listening");
    println!("  OPENROUTER_BASE_URL={}", server.base_url());
    println!("  management key: {}", server.management_key());
    println!("  normal key:     {}", server.normal_key());
    println!("Ctrl-C stops it.");
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}
