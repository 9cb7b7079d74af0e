//! The HTML report as people see it: when it was made and what it covers, a legend, names
//! on one line and ids shortened, "no usage yet" instead of an empty chart, text from the
//! API escaped, nothing fetched; and, where Chromium is installed, the page rendered by it
//! (within a 1280-pixel window).

use crate::common::{
    Fake, assert_code, create, hash_of, installed, output_within, stdout, tempdir,
};
use openrouter_keys::time::OffsetDateTime;
use openrouter_keys::time::format_description::well_known::Rfc3339;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A key name with a terminal escape, a line break, a right-to-left override and markup.
const HOSTILE: &str = "r-evil\u{1b}[31m\n\u{202e}</td><script>alert(1)</script>";

/// Three keys matching `r-*` (one near its limit, one with an expiry, one with a hostile
/// name), one that does not match; returns the near key's hash.
fn keys_with_usage(fake: &Fake, dir: &Path) -> String {
    create(fake, dir, "r-near", &["--limit", "10"]);
    create(
        fake,
        dir,
        "r-dated",
        &["--expires-at", "2999-06-30", "--limit", "50"],
    );
    create(fake, dir, HOSTILE, &[]);
    create(fake, dir, "other", &[]);
    let near = hash_of(fake, "r-near");
    assert!(fake.server.add_usage(&near, 9.0));
    assert!(fake.server.add_usage(&hash_of(fake, "r-dated"), 2.5));
    near
}

/// The time in `<time datetime="…">`.
fn generated_at(html: &str) -> OffsetDateTime {
    let at = html
        .split("<time datetime=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a <time datetime=…> element");
    OffsetDateTime::parse(at, &Rfc3339).expect("RFC 3339")
}

/// The page's text as a person reads it: tags and the style sheet dropped, the entities the
/// report uses decoded.
fn visible_text(html: &str) -> String {
    let body = html.split("</style>").last().unwrap_or(html);
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&nbsp;", "\u{a0}")
        .replace("&ge;", "≥")
        .replace("&hellip;", "…")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace('\u{a0}', " ")
}

/// Every tag of the page with its attributes' names and values. Text and attribute values
/// of the report never hold a raw `<`, `>` or `"` (escaped), so a tag runs from `<` to `>`.
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut found = Vec::new();
    for piece in html.split('<').skip(1) {
        let inside = piece.split('>').next().expect("a tag");
        let inside = inside.trim_start_matches('/');
        let (name, mut rest) = inside
            .split_once(|c: char| c.is_whitespace())
            .unwrap_or((inside, ""));
        let mut attributes = Vec::new();
        loop {
            rest = rest.trim_start();
            if rest.is_empty() {
                break;
            }
            let end = rest
                .find(|c: char| c == '=' || c.is_whitespace())
                .unwrap_or(rest.len());
            let attribute = rest[..end].to_ascii_lowercase();
            rest = &rest[end..];
            let mut value = String::new();
            if let Some(after) = rest.strip_prefix("=\"") {
                let close = after.find('"').expect("a closing quote");
                value = after[..close].to_string();
                rest = &after[close + 1..];
            }
            attributes.push((attribute, value));
        }
        found.push((name.to_ascii_lowercase(), attributes));
    }
    found
}

/// What in `html` could make a browser fetch something: an element or attribute outside
/// the few the report uses (so no `src`, `href`, `srcset`, `action`, `poster`, `data`,
/// `xlink:href`, `<link>`, `<script>`, `<img>`, `<meta http-equiv>`…), or a style that
/// imports or points at a URL.
fn what_could_fetch(html: &str) -> Vec<String> {
    const ELEMENTS: [&str; 23] = [
        "!doctype", "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "time",
        "table", "tr", "th", "td", "span", "code", "b", "i", "svg", "text", "rect", "br",
    ];
    const ATTRIBUTES: [&str; 16] = [
        "html",
        "lang",
        "charset",
        "class",
        "title",
        "datetime",
        "style",
        "width",
        "height",
        "role",
        "aria-label",
        "x",
        "y",
        "text-anchor",
        "font-size",
        "fill",
    ];
    let mut found = Vec::new();
    for (element, attributes) in tags(html) {
        if !ELEMENTS.contains(&element.as_str()) {
            found.push(format!("element <{element}>"));
        }
        for (attribute, value) in attributes {
            if !ATTRIBUTES.contains(&attribute.as_str()) {
                found.push(format!("attribute {attribute}= on <{element}>"));
            }
            if attribute == "style" && (value.contains("url(") || value.contains("@import")) {
                found.push(format!("style=\"{value}\""));
            }
        }
    }
    let style = html
        .split("<style>")
        .nth(1)
        .and_then(|s| s.split("</style>").next())
        .unwrap_or("");
    for fetching in ["url(", "@import", "@font-face"] {
        if style.contains(fetching) {
            found.push(format!("{fetching} in the style sheet"));
        }
    }
    found
}

/// `report --format html --out usage.html` in `dir`; the page's path.
fn report_file(fake: &Fake, dir: &Path) -> PathBuf {
    let page = dir.join("usage.html");
    let output = fake.run(
        dir,
        &[
            "report",
            "--format",
            "html",
            "--out",
            page.to_str().unwrap(),
        ],
    );
    assert_code(&output, 0);
    page
}

fn report_html(fake: &Fake, dir: &Path, extra: &[&str]) -> String {
    let mut args = vec!["report", "--format", "html"];
    args.extend_from_slice(extra);
    let output = fake.run(dir, &args);
    assert_code(&output, 0);
    stdout(&output)
}

#[test]
fn the_html_report_says_when_it_was_made_what_it_covers_and_how_to_read_it() {
    let fake = Fake::start();
    let dir = tempdir();
    let near = keys_with_usage(&fake, dir.path());
    // Whole seconds: the page says the time to the second.
    let before = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let html = report_html(&fake, dir.path(), &["--match", "r-*"]);
    let after = OffsetDateTime::now_utc();
    let made = generated_at(&html);
    assert!(
        before <= made && made <= after,
        "{made} not in {before}..{after}"
    );
    let text = visible_text(&html);
    let shown = format!(
        "Generated {} {:02}:{:02}:{:02} UTC",
        made.date(),
        made.hour(),
        made.minute(),
        made.second()
    );
    assert!(text.contains(&shown), "{shown}: {text}");

    let host = fake
        .server
        .base_url()
        .split('/')
        .nth(2)
        .unwrap()
        .to_string();
    for said in [
        format!("API{host}"),
        "workspacethe default workspace".to_string(),
        "keysnames matching `r-*`".to_string(),
        "disabled keysleft out (--include-disabled counts them)".to_string(),
        "expired keysleft out (--include-expired counts them)".to_string(),
        "keys3 active, 0 disabled".to_string(),
        "usage (USD)day 11.50, week 11.50, month 11.50, total 11.50".to_string(),
        "at ≥ 80% of limit1".to_string(),
        "Each bar is one key's total usage in USD".to_string(),
        "80 % of its limit or more".to_string(),
        "Remaining in bold red: less than 1.00 USD".to_string(),
    ] {
        assert!(
            text.contains(&said),
            "the page does not say {said:?}: {text}"
        );
    }
    // A workspace named by its slug, as the user typed it.
    fake.server
        .add_workspace(openrouter_keys_testkit::NewWorkspace::new("WS 1"))
        .unwrap();
    let included = visible_text(&report_html(
        &fake,
        dir.path(),
        &[
            "--include-disabled",
            "--include-expired",
            "--workspace",
            "ws-1",
        ],
    ));
    for said in [
        "workspacews-1",
        "keysevery key",
        "disabled keyscounted",
        "expired keyscounted",
    ] {
        assert!(included.contains(said), "{said}: {included}");
    }

    // The hash shortened on the page, whole in its title; the expiry and workspace columns.
    assert!(html.contains(&format!("title=\"{near}\"")), "{html}");
    assert!(!text.contains(&near), "the whole hash is not shown: {text}");
    assert!(text.contains(&format!("{}…", &near[..9])), "{text}");
    assert!(html.contains("expires (UTC)</th>") && html.contains("workspace</th>"));
    assert!(text.contains("2999-06-30 23:59"), "{text}");
    assert!(html.contains("<tr class=\"near\">"), "{html}");
    assert_eq!(
        html.matches("<rect").count(),
        2,
        "bars only for keys with usage"
    );
}

#[test]
fn the_html_report_escapes_what_a_key_name_carries() {
    let fake = Fake::start();
    let dir = tempdir();
    keys_with_usage(&fake, dir.path());
    let html = report_html(&fake, dir.path(), &["--match", "r-*"]);
    for raw in ['\u{1b}', '\u{202e}'] {
        assert!(!html.contains(raw), "a raw {raw:?} reached the page");
    }
    assert!(
        !html.contains("<script>"),
        "markup of a name reached the page"
    );
    assert!(
        !html.contains("</td><script"),
        "markup of a name reached the page"
    );
    // Shown as escapes, cut (it is long: its markup is text in the title below).
    let text = visible_text(&html);
    assert!(
        text.contains("r-evil\\u{1b}[31m\\n\\u{202e}<…"),
        "the name is shown as escapes and text: {text}"
    );
    // Cut on the page (it is long), whole in the cell's title.
    assert!(
        html.contains(
            "title=\"r-evil\\u{1b}[31m\\n\\u{202e}&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""
        ),
        "{html}"
    );
    // Names never break the table: no raw line break inside any cell.
    for cell in html.split("<td").skip(1) {
        let cell = cell.split("</td>").next().unwrap();
        assert!(!cell.contains('\n'), "a line break in a cell: {cell:?}");
    }
}

#[test]
fn an_html_report_without_usage_says_so_instead_of_drawing_empty_bars() {
    let fake = Fake::start();
    let dir = tempdir();
    for i in 0..30 {
        create(&fake, dir.path(), &format!("idle-{i}"), &["--limit", "5"]);
    }
    let html = report_html(&fake, dir.path(), &[]);
    assert!(visible_text(&html).contains("No usage yet"), "{html}");
    assert!(!html.contains("<svg"), "no chart of zeros");
    assert!(!html.contains(">0.00</text>"), "no bar labelled 0.00");
}

#[test]
fn the_html_report_loads_nothing() {
    let fake = Fake::start();
    let dir = tempdir();
    keys_with_usage(&fake, dir.path());
    let html = report_html(&fake, dir.path(), &[]);
    assert_eq!(what_could_fetch(&html), Vec::<String>::new());
    // The check finds what it looks for.
    let fetching = html.replace(
        "<h1>",
        "<img src=\"http://example.com/x.png\"><h1 style=\"background:url(x.png)\">",
    );
    assert_eq!(
        what_could_fetch(&fetching).len(),
        3,
        "{:?}",
        what_could_fetch(&fetching)
    );
}

/// A headless Chromium, as Debian packages it (or under another common name).
fn chromium() -> Option<PathBuf> {
    let other_names = ["chromium-browser", "google-chrome", "google-chrome-stable"];
    for name in other_names {
        if let Some(found) = crate::common::find_program(name) {
            return Some(found);
        }
    }
    installed("chromium", "the HTML report in a browser")
}

/// Chromium run headless on `page` with its network cut off (no name resolves), its own
/// profile, and a net log; `what` is `--screenshot=…` or `--dump-dom`.
fn headless(browser: &Path, dir: &Path, page: &Path, what: &str, net_log: &Path) -> Command {
    let profile = tempfile::tempdir_in(dir).expect("a profile directory");
    let mut command = Command::new(browser);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,1000",
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!("--user-data-dir={}", profile.keep().display()))
        .arg(format!("--log-net-log={}", net_log.display()))
        .arg(what)
        .arg(format!("file://{}", page.display()))
        .env("HOME", dir);
    command
}

/// The URLs a page asked for, from Chromium's net log: requests whose network isolation
/// key is the page's (`file://`). Chromium's own background requests (update checks,
/// accounts) carry other keys and are not the page's; with no name resolving, none leaves
/// the machine.
fn requested_by_the_page(net_log: &Path) -> Vec<String> {
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(net_log).expect("a net log"))
            .expect("the net log is JSON");
    let mut urls: Vec<String> = log["events"]
        .as_array()
        .expect("net log events")
        .iter()
        .filter_map(|event| {
            let params = event.get("params")?;
            let key = params.get("network_isolation_key")?.as_str()?;
            let url = params.get("url")?.as_str()?;
            key.starts_with("file://").then(|| url.to_string())
        })
        .collect();
    urls.sort();
    urls.dedup();
    urls
}

/// Width and height from a PNG's header, after checking its signature.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert_eq!(&png[12..16], b"IHDR", "no PNG header chunk");
    let number = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (number(16), number(20))
}

#[test]
fn the_html_report_renders_in_a_headless_browser_without_fetching_anything() {
    let Some(browser) = chromium() else {
        return;
    };
    let fake = Fake::start();
    let dir = tempdir();
    keys_with_usage(&fake, dir.path());
    let page = report_file(&fake, dir.path());
    let blank = dir.path().join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body></body></html>").unwrap();
    // A page that fetches, to show that the net log sees what a page asks for.
    let fetching = dir.path().join("fetching.html");
    std::fs::write(
        &fetching,
        "<!DOCTYPE html><html><body><img src=\"http://example.com/x.png\">\
         <p style=\"background:url(https://example.org/y.png)\">x</p></body></html>",
    )
    .unwrap();
    let limit = Duration::from_secs(120);

    let shoot = |page: &Path, name: &str| {
        let png = dir.path().join(format!("{name}.png"));
        let log = dir.path().join(format!("{name}.netlog.json"));
        let what = format!("--screenshot={}", png.display());
        let output = output_within(
            &mut headless(&browser, dir.path(), page, &what, &log),
            limit,
        );
        assert_code(&output, 0);
        (
            std::fs::read(&png).expect("a screenshot"),
            requested_by_the_page(&log),
        )
    };
    let (report_png, report_requests) = shoot(&page, "report");
    let (blank_png, _) = shoot(&blank, "blank");
    let (_, fetching_requests) = shoot(&fetching, "fetching");

    assert_eq!(png_size(&report_png), (1280, 1000));
    assert!(
        report_png.len() > 2 * blank_png.len(),
        "the screenshot shows next to nothing ({} bytes; a blank page's: {})",
        report_png.len(),
        blank_png.len()
    );
    assert_eq!(
        fetching_requests,
        ["http://example.com/x.png", "https://example.org/y.png"],
        "the net log shows a page's requests"
    );
    assert_eq!(
        report_requests,
        Vec::<String>::new(),
        "the report fetched something"
    );

    // What the browser made of the page: the text a person reads.
    let log = dir.path().join("dom.netlog.json");
    let output = output_within(
        &mut headless(&browser, dir.path(), &page, "--dump-dom", &log),
        limit,
    );
    assert_code(&output, 0);
    let dom = stdout(&output);
    assert!(
        !dom.contains("<script"),
        "a name became markup in the browser"
    );
    let text = visible_text(&dom);
    for said in [
        "Generated ",
        " UTC by openrouter-keys",
        // r-near, r-dated, the hostile name, other, and the fake's own key.
        "5 active, 0 disabled",
        "total 11.50",
        "Each bar is one key's total usage in USD",
        "80 % of its limit or more",
    ] {
        assert!(
            text.contains(said),
            "the rendered page does not say {said:?}: {text}"
        );
    }
}

/// A guardrail with a budget held by `r-near`; returns its id.
fn students_guardrail(fake: &Fake, near: &str) -> String {
    use openrouter_keys_testkit::NewGuardrail;
    let id = fake
        .server
        .add_guardrail(
            NewGuardrail::new("students")
                .limit_usd(50.0)
                .reset_interval("monthly"),
        )
        .expect("a guardrail");
    fake.assign(&id, [near]);
    id
}

#[test]
fn the_report_shows_the_guardrail_each_key_holds() {
    let fake = Fake::start();
    let dir = tempdir();
    let near = keys_with_usage(&fake, dir.path());
    let id = students_guardrail(&fake, &near);
    let html = report_html(&fake, dir.path(), &["--match", "r-*"]);
    assert!(html.contains("guardrail</th>"), "{html}");
    let row = |name: &str| {
        let at = html.find(&format!(">{name}</td>")).expect("the key's row");
        let end = at + html[at..].find("</tr>").unwrap();
        visible_text(&html[at..end])
    };
    assert!(
        row("r-near").contains("students (50.00 USD monthly)"),
        "{}",
        row("r-near")
    );
    assert!(
        html.contains(&format!("<span title=\"{id}\">students</span>")),
        "{html}"
    );
    assert!(row("r-dated").contains("none"), "{}", row("r-dated"));

    let output = fake.run(dir.path(), &["report", "--format", "csv", "--match", "r-*"]);
    let rows = crate::common::csv_rows(&stdout(&output));
    let near_row = rows.iter().find(|r| r["hash"] == near).unwrap();
    assert_eq!(
        (
            near_row["guardrail_id"].as_str(),
            near_row["guardrail_name"].as_str()
        ),
        (id.as_str(), "students")
    );
    let dated = rows.iter().find(|r| r["name"] == "r-dated").unwrap();
    assert_eq!(dated["guardrail_id"], "");
}

#[test]
fn a_report_whose_guardrails_cannot_be_read_is_made_and_says_so() {
    use openrouter_keys_testkit::{Fault, Route};
    let fake = Fake::start();
    let dir = tempdir();
    let near = keys_with_usage(&fake, dir.path());
    students_guardrail(&fake, &near);
    // More failures than the CLI's attempts.
    fake.server
        .inject_n(Route::ListKeyAssignments, Fault::status(500), 10);
    let output = fake.run(
        dir.path(),
        &["report", "--format", "html", "--attempts", "2"],
    );
    assert_code(&output, 0);
    let said = crate::common::stderr(&output);
    assert!(
        said.contains("warning: reading guardrails failed"),
        "{said}"
    );
    assert!(said.contains("guardrail column shows `?`"), "{said}");
    let text = visible_text(&stdout(&output));
    assert!(
        text.contains("guardrailscould not be read (reading guardrails failed"),
        "{text}"
    );
    assert!(text.contains("total 11.50"), "the usage is there: {text}");
}

/// How wide Chromium lays `page` out in a 1280 × 1000 window: the document's scroll width,
/// read by a script added to a copy of the page (the report itself has none).
fn laid_out_width(browser: &Path, dir: &Path, page: &Path) -> u32 {
    let html = std::fs::read_to_string(page).expect("the page");
    let measured = dir.join("measured.html");
    std::fs::write(
        &measured,
        html.replace(
            "</body>",
            "<script>document.body.setAttribute('data-scroll-width', \
             document.documentElement.scrollWidth)</script></body>",
        ),
    )
    .unwrap();
    let log = dir.join("width.netlog.json");
    let output = output_within(
        &mut headless(browser, dir, &measured, "--dump-dom", &log),
        Duration::from_secs(120),
    );
    assert_code(&output, 0);
    let dom = stdout(&output);
    let at = dom.find("data-scroll-width=\"").expect("the script ran") + 19;
    dom[at..at + dom[at..].find('"').unwrap()]
        .parse()
        .expect("a width")
}

#[test]
fn the_html_report_fits_a_1280_pixel_window() {
    let Some(browser) = chromium() else {
        return;
    };
    let fake = Fake::start();
    let dir = tempdir();
    let near = keys_with_usage(&fake, dir.path());
    let long = "a-very-long-key-name-for-the-monthly-report-of-the-department-of-physics";
    create(
        &fake,
        dir.path(),
        long,
        &["--limit", "1000000", "--expires-at", "2999-06-30"],
    );
    assert!(fake.server.add_usage(&hash_of(&fake, long), 123456.78));
    let id = fake
        .server
        .add_guardrail(
            openrouter_keys_testkit::NewGuardrail::new(
                "the-guardrail-of-the-students-of-the-spring-term",
            )
            .limit_usd(100000.0)
            .reset_interval("monthly"),
        )
        .expect("a guardrail");
    fake.assign(&id, [near.as_str(), &hash_of(&fake, long)]);
    let page = report_file(&fake, dir.path());
    let html = std::fs::read_to_string(&page).unwrap();
    let width = laid_out_width(&browser, dir.path(), &page);
    assert!(
        width <= 1280,
        "the page is {width} px wide in a 1280 px window"
    );
    // The chart's label is cut with an ellipsis; the whole name is in the bar's title.
    assert!(
        html.contains("a-very-long-key-name-for-the-…</text>"),
        "{html}"
    );
}
