//! The report as one self-contained HTML page: when it was made and what it covers, totals,
//! a bar chart of the top spenders with its legend, and every key in a table.
//!
//! Inline CSS and inline SVG only: no script, font, image or stylesheet to fetch, so the
//! page shows the same from a file share or a mail attachment, offline, and opening it
//! tells no server that it was opened. Every text from the API or the command line (names,
//! ids, globs) is made printable (control and bidirectional characters written as escapes,
//! as in the terminal) and then HTML-escaped.

use super::contents::{GuardrailOf, Guardrails, Report};
use crate::key_state::{is_near_limit, used_share};
use crate::render::columns::cut;
use crate::render::text::{name_of, printable, state_of, usd};
use openrouter_keys::Key;
use std::borrow::Cow;
use std::fmt::Write as _;

/// Keys in the chart at most: the top spenders among keys with any usage.
const CHART_KEYS: usize = 25;
/// Display columns of a name shown in the table (the whole name is its cell's title) and in
/// the chart (the whole name is its bar's title), cut with `…`: with these, the key table and
/// the chart fit a 1280-pixel window. Counted as a terminal counts them (a full-width
/// character takes two), which is close to how wide a proportional font draws them.
const NAME_COLUMNS: usize = 28;
const CHART_NAME_COLUMNS: usize = 30;
/// Characters shown of a hash or a workspace id; hover shows the whole (its title).
const ID_CHARS: usize = 10;
/// Display columns of a guardrail's name shown (its id is its title); its budget goes on a
/// line of its own when the table needs the room.
const GUARDRAIL_COLUMNS: usize = 20;

const STYLE: &str = "\
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #ccc;padding:3px 5px;text-align:right}
th{background:#f4f4f4}
td.text,th.text,.about td,.about th,.totals td,.totals th{text-align:left}
td.text{white-space:nowrap}
td.guardrail,td.when{white-space:normal}
td.guardrail span,td.when span{white-space:nowrap}
tr.near{background:#f9d3ce}
td.low{color:#c0392b;font-weight:bold}
p.made,p.legend,p.empty{font-size:13px;max-width:60em}
p.empty{font-style:italic}
.swatch{display:inline-block;width:1.4em;height:.8em;vertical-align:middle;margin:0 .3em 0 .8em}
.swatch.usage{background:#2e86de}
.swatch.near{background:#c0392b}
.swatch.row{background:#f9d3ce;border:1px solid #c0392b}
";

pub fn html(report: &Report) -> String {
    let made = report.made_at_text();
    let mut about: String = report
        .scope
        .lines()
        .iter()
        .map(|(name, value)| format!("<tr><th>{name}</th><td>{}</td></tr>\n", text(value)))
        .collect();
    if let Guardrails::Unread(why) = &report.guardrails {
        about.push_str(&format!(
            "<tr><th>guardrails</th><td>could not be read ({}): shown as ?</td></tr>\n",
            text(why)
        ));
    }
    let totals: String = report
        .totals()
        .lines()
        .iter()
        .map(|(name, value)| format!("<tr><th>{name}</th><td>{}</td></tr>\n", text(value)))
        .collect();
    let near = report.near_limit().len();
    let rows: String = report.keys.iter().map(|k| key_row(report, k)).collect();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>OpenRouter key usage, {made}</title>\n<style>\n{STYLE}</style></head><body>\n\
<h1>OpenRouter key usage</h1>\n\
<p class=\"made\">Generated <time datetime=\"{machine}\">{made}</time> by openrouter-keys {version}. \
Amounts are in USD, as the API reported them at that moment.</p>\n\
<table class=\"about\">\n{about}</table>\n\
<h2>Totals</h2>\n<table class=\"totals\">\n{totals}<tr><th>at &ge; 80% of limit</th><td>{near}</td></tr>\n</table>\n\
{chart}\n\
<h2>All keys, by usage</h2>\n\
<p class=\"legend\"><span class=\"swatch row\"></span>row: 80&nbsp;% or more of the key's limit used \
(a $0 limit with any usage counts as used up). <b style=\"color:#c0392b\">Remaining in bold red</b>: \
less than 1.00 USD of the limit left. <i>used</i>: the share of the limit spent; <i>day</i>, \
<i>week</i>, <i>month</i>, <i>total</i>: usage over those periods as the API reports it. \
<i>guardrail</i>: the one assigned to the key, with its budget, which each key it applies to \
has whole (a workspace's default guardrail, which applies to all its keys, is not shown). \
A shortened hash, name, workspace or guardrail shows whole when hovered.</p>\n\
<table class=\"keys\">\n<tr><th class=\"text\">hash</th><th class=\"text\">name</th>\
<th class=\"text\">status</th><th class=\"text\">expires (UTC)</th><th class=\"text\">workspace</th>\
<th class=\"text\">guardrail</th>\
<th>limit</th><th>remaining</th><th>used</th><th>day</th><th>week</th><th>month</th><th>total</th></tr>\n\
{rows}</table>\n</body></html>\n",
        machine = report
            .made_at
            .format(&openrouter_keys::time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        version = env!("CARGO_PKG_VERSION"),
        chart = chart(report),
    )
}

/// One key's row in the table of every key.
fn key_row(report: &Report, k: &Key) -> String {
    let status = state_of(k, report.made_at);
    let low = k.limit_remaining.is_some_and(|r| r < 1.0);
    let workspace = k
        .workspace_id
        .as_deref()
        .map_or_else(|| "-".into(), |w| shortened(w, ID_CHARS));
    format!(
        "<tr{}><td class=\"text\">{}</td><td class=\"text\">{}</td><td class=\"text\">{status}</td>\
<td class=\"text when\">{}</td><td class=\"text\">{workspace}</td><td class=\"text guardrail\">{}</td>\
<td>{}</td><td{}>{}</td><td>{}</td>\
<td>{:.2}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td></tr>\n",
        if is_near_limit(k) {
            " class=\"near\""
        } else {
            ""
        },
        shortened_code(&k.hash, ID_CHARS),
        shortened(name_of(k), NAME_COLUMNS),
        expiry(report, k),
        guardrail(report, k),
        usd(k.limit),
        if low { " class=\"low\"" } else { "" },
        usd(k.limit_remaining),
        used_share(k).map_or_else(|| "-".into(), |s| format!("{:.1}%", s * 100.0)),
        k.usage.daily.unwrap_or(0.0),
        k.usage.weekly.unwrap_or(0.0),
        k.usage.monthly.unwrap_or(0.0),
        k.usage.total.unwrap_or(0.0)
    )
}

/// The guardrail a key holds, for people: its name and budget (`students (50.00 USD
/// monthly)`), its id when it could not be read, `none`, or `?` when assignments could not
/// be read.
fn guardrail(report: &Report, k: &Key) -> String {
    let held = match report.guardrail_of(k) {
        GuardrailOf::Held(held) => held,
        GuardrailOf::None => return "none".into(),
        GuardrailOf::Unknown => return "?".into(),
    };
    let Some(guardrail) = &held.guardrail else {
        return shortened_code(&held.id, ID_CHARS);
    };
    let name = guardrail.name.as_deref().unwrap_or(held.id.as_str());
    let budget = match (guardrail.limit_usd, &guardrail.reset_interval) {
        (Some(usd), Some(reset)) => format!(
            " <small>({usd:.2}&nbsp;USD {})</small>",
            text(reset.as_str())
        ),
        (Some(usd), None) => format!(" <small>({usd:.2}&nbsp;USD)</small>"),
        (None, _) => String::new(),
    };
    format!(
        "<span title=\"{}\">{}</span>{budget}",
        text(&held.id),
        text(&cut(name, GUARDRAIL_COLUMNS))
    )
}

/// When a key expires, for people: `2027-06-30 23:59`, `never`, or the API's text when it
/// is not a time; `(expired)` once past.
fn expiry(report: &Report, k: &Key) -> String {
    let Some(at) = &k.expires_at else {
        return "never".into();
    };
    let Some(time) = at.datetime() else {
        return text(at.as_str());
    };
    let utc = time.to_offset(openrouter_keys::time::UtcOffset::UTC);
    // Date and time each kept whole: the cell breaks between them when the table needs it.
    let shown = format!(
        "<span>{}</span> <span>{:02}:{:02}</span>",
        utc.date(),
        utc.hour(),
        utc.minute()
    );
    if report.expired(k) {
        format!("{shown} (expired)")
    } else {
        shown
    }
}

/// A horizontal bar chart of total usage per key, the top spenders among keys with any
/// usage, as inline SVG with its legend; a sentence instead when no key has used anything.
fn chart(report: &Report) -> String {
    let used = |k: &Key| k.usage.total.unwrap_or(0.0);
    let shown: Vec<&Key> = report.spenders().into_iter().take(CHART_KEYS).collect();
    if shown.is_empty() {
        let sentence = report.no_usage_text();
        let (first, rest) = sentence.split_at(1);
        return format!(
            "<h2>Usage per key</h2>\n<p class=\"empty\">{}{rest}.</p>",
            first.to_uppercase()
        );
    }
    let max = shown.iter().map(|k| used(k)).fold(0.0_f64, f64::max);
    let (bar_h, gap, label_w, bar_w) = (18, 6, 220, 460);
    let height = shown.len() * (bar_h + gap) + gap;
    let mut svg = format!(
        "<h2>Usage per key (the top {} by total usage)</h2>\n\
<p class=\"legend\">Each bar is one key's total usage in USD; the longest is the highest.\
<span class=\"swatch usage\"></span>below 80&nbsp;% of its limit, or no limit\
<span class=\"swatch near\"></span>80&nbsp;% of its limit or more (a $0 limit with any usage \
counts as used up)</p>\n\
<svg width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"total usage per key in USD\">",
        shown.len(),
        label_w + bar_w + 90
    );
    for (i, k) in shown.iter().enumerate() {
        let y = gap + i * (bar_h + gap);
        let w = ((used(k) / max) * bar_w as f64).round().max(1.0);
        let name = printable(name_of(k));
        let name = cut(&name, CHART_NAME_COLUMNS);
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{w}\" height=\"{bar_h}\" fill=\"{}\"><title>{}: {:.2} USD</title></rect>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\">{:.2}</text>",
            label_w - 6,
            y + 13,
            escape(&name),
            if is_near_limit(k) {
                "#c0392b"
            } else {
                "#2e86de"
            },
            text(name_of(k)),
            used(k),
            label_w as f64 + w + 6.0,
            y + 13,
            used(k)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Text from the API or the command line, printable and HTML-escaped.
fn text(value: &str) -> String {
    escape(&printable(value))
}

/// `value` cut to `columns` display columns with `…`, the whole in the title when cut.
fn shortened(value: &str, columns: usize) -> String {
    let shown = printable(value);
    match cut(&shown, columns) {
        Cow::Borrowed(whole) => escape(whole),
        Cow::Owned(cut) => {
            let kept = cut.strip_suffix('…').unwrap_or(&cut);
            format!(
                "<span title=\"{}\">{}&hellip;</span>",
                escape(&shown),
                escape(kept)
            )
        }
    }
}

/// [`shortened`], in a `<code>`.
fn shortened_code(value: &str, chars: usize) -> String {
    format!("<code>{}</code>", shortened(value, chars))
}

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape("<a href='x'>&\""),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;"
        );
    }

    #[test]
    fn control_characters_are_written_as_escapes() {
        assert_eq!(
            text("a\u{1b}[31m<b>\n\u{202e}"),
            "a\\u{1b}[31m&lt;b&gt;\\n\\u{202e}"
        );
    }

    #[test]
    fn a_long_id_is_shortened_and_whole_in_its_title() {
        let hash = "0123456789abcdef";
        assert_eq!(
            shortened(hash, 10),
            "<span title=\"0123456789abcdef\">012345678&hellip;</span>"
        );
        assert_eq!(shortened("short", 10), "short");
    }
}
