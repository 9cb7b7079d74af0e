//! The modules of `cli/src` form no circle: a module never imports, directly or through
//! others, one that imports it.
//!
//! A module is a file (`commands/mod.rs` is `commands`). It imports another when it names a
//! path into it (`crate::output::Printer`, `use crate::{batch, exit::Exit}`, `super::x`) or
//! declares it (`mod journal;`). Paths inside an inline module (`mod tests { use super::*; }`)
//! belong to the file. Rerun with `cargo test -p openrouter-keys-cli --test module_graph`;
//! on failure it prints every circle and every import edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path (`commands::create`) → the source of its file.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut pending = vec![src.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("a source directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).expect("under src");
            let mut parts: Vec<String> = relative
                .with_extension("")
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            if parts
                .last()
                .is_some_and(|p| p == "mod" || p == "main" || p == "lib")
            {
                parts.pop();
            }
            let name = if parts.is_empty() {
                "crate".to_string()
            } else {
                parts.join("::")
            };
            found.insert(name, std::fs::read_to_string(&path).expect("a source file"));
        }
    }
    found
}

/// The code of a file without comments and string literals (their words are not imports).
fn code_only(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
                out.push_str("\"\"");
            }
            // A char literal such as '"' or '{' (not a lifetime: those have no closing quote
            // two or three characters on).
            '\'' => {
                let rest: String = chars.clone().take(3).collect();
                let close = if rest.starts_with('\\') {
                    rest.chars().nth(2) == Some('\'')
                } else {
                    rest.chars().nth(1) == Some('\'')
                };
                if close {
                    let skip = if rest.starts_with('\\') { 3 } else { 2 };
                    for _ in 0..skip {
                        chars.next();
                    }
                    out.push_str("' '");
                } else {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The path segments that follow `at` in `code` (`a::b::{c, d::e}` → `[a, b]`), and whether a
/// brace group follows them.
fn segments(code: &str) -> (Vec<String>, Option<String>) {
    let mut parts = Vec::new();
    let mut rest = code;
    loop {
        let ident: String = rest.chars().take_while(|c| is_ident(*c)).collect();
        if ident.is_empty() {
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 1;
                let end = group
                    .char_indices()
                    .find(|(_, c)| {
                        match c {
                            '{' => depth += 1,
                            '}' => depth -= 1,
                            _ => {}
                        }
                        depth == 0
                    })
                    .map_or(group.len(), |(at, _)| at);
                return (parts, Some(group[..end].to_string()));
            }
            return (parts, None);
        }
        rest = &rest[ident.len()..];
        parts.push(ident);
        match rest.strip_prefix("::") {
            Some(after) => rest = after,
            None => return (parts, None),
        }
    }
}

/// The longest prefix of `path` (from the crate root) that names a module file.
fn module_of(path: &[String], known: &BTreeMap<String, String>) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|name| known.contains_key(name))
}

/// Every module path a use of `base::{group}` or `base::a::b` reaches.
fn targets(
    base: &[String],
    code: &str,
    known: &BTreeMap<String, String>,
    out: &mut BTreeSet<String>,
) {
    let (parts, group) = segments(code);
    let mut path = base.to_vec();
    path.extend(parts);
    match group {
        Some(group) => {
            // Split the group at its top-level commas.
            let mut depth = 0;
            let mut start = 0;
            let bytes: Vec<char> = group.chars().collect();
            let mut items = Vec::new();
            for (at, c) in bytes.iter().enumerate() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        items.push(bytes[start..at].iter().collect::<String>());
                        start = at + 1;
                    }
                    _ => {}
                }
            }
            items.push(bytes[start..].iter().collect::<String>());
            for item in items {
                let item = item.trim();
                if item.is_empty() || item == "self" {
                    if let Some(m) = module_of(&path, known) {
                        out.insert(m);
                    }
                    continue;
                }
                targets(&path, item, known, out);
            }
        }
        None => {
            if let Some(m) = module_of(&path, known) {
                out.insert(m);
            }
        }
    }
}

/// Module → the modules it imports (itself left out).
fn imports(known: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph = BTreeMap::new();
    for (name, source) in known {
        let code = code_only(source);
        let own: Vec<String> = if name == "crate" {
            Vec::new()
        } else {
            name.split("::").map(str::to_string).collect()
        };
        let mut edges = BTreeSet::new();
        // Inline modules (`mod tests { … }`): `super::` inside them is the file itself.
        let mut inline_depths: Vec<usize> = Vec::new();
        let mut depth = 0usize;
        let mut at = 0;
        let chars: Vec<(usize, char)> = code.char_indices().collect();
        while at < chars.len() {
            let (offset, c) = chars[at];
            let before_ok = offset == 0 || !is_ident(code[..offset].chars().last().unwrap_or(' '));
            let rest = &code[offset..];
            if c == '{' {
                depth += 1;
            } else if c == '}' {
                if inline_depths.last() == Some(&depth) {
                    inline_depths.pop();
                }
                depth = depth.saturating_sub(1);
            } else if before_ok && rest.starts_with("mod ") {
                let after = rest["mod ".len()..].trim_start();
                let ident: String = after.chars().take_while(|c| is_ident(*c)).collect();
                let tail = after[ident.len()..].trim_start();
                if tail.starts_with(';') {
                    let mut child = own.clone();
                    child.push(ident);
                    if let Some(m) = module_of(&child, known) {
                        edges.insert(m);
                    }
                } else if tail.starts_with('{') {
                    inline_depths.push(depth + 1);
                }
            } else if before_ok && rest.starts_with("crate::") {
                targets(&[], &rest["crate::".len()..], known, &mut edges);
            } else if before_ok && rest.starts_with("super::") && inline_depths.is_empty() {
                // `super` of `a::b` (a file `a/b.rs`) is `a`.
                let mut parent = own.clone();
                parent.pop();
                let mut path_rest = &rest["super::".len()..];
                while let Some(more) = path_rest.strip_prefix("super::") {
                    parent.pop();
                    path_rest = more;
                }
                if parent.is_empty() {
                    targets(&[], path_rest, known, &mut edges);
                } else {
                    targets(&parent, path_rest, known, &mut edges);
                }
            }
            at += 1;
        }
        edges.remove(name);
        edges.remove("crate");
        graph.insert(name.clone(), edges);
    }
    graph
}

/// Each circle once, as the list of modules along it.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    for start in graph.keys() {
        // Paths from `start` back to it through modules ordered after it, so that each
        // circle is found from its smallest module only.
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        while let Some((at, path)) = stack.pop() {
            for next in graph.get(&at).into_iter().flatten() {
                if next == start {
                    found.insert(path.clone());
                } else if next > start && !path.contains(next) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    found
}

#[test]
fn no_module_in_cli_src_imports_one_that_imports_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let known = modules(&src);
    let graph = imports(&known);
    let found = circles(&graph);
    let edges: String = graph
        .iter()
        .map(|(from, to)| {
            format!(
                "  {from} -> {}\n",
                to.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    let shown: String = found
        .iter()
        .map(|circle| format!("  {} -> {}\n", circle.join(" -> "), circle[0]))
        .collect();
    println!("imports in cli/src:\n{edges}");
    assert!(
        found.is_empty(),
        "{} module circle(s) in cli/src:\n{shown}\nimports:\n{edges}",
        found.len()
    );
}

#[test]
fn the_check_sees_a_circle_through_crate_paths_groups_and_super() {
    let known: BTreeMap<String, String> = [
        ("crate", "mod a; mod b;"),
        (
            "a",
            "use crate::{b::{X, Y}, c};\n// crate::d in a comment\nfn f() { \"crate::d\"; }",
        ),
        (
            "b",
            "pub mod inner { use super::*; }\nfn g() { super::c::h(); }",
        ),
        ("c", "use crate::a::Z;"),
        ("d", "use crate::c;"),
    ]
    .into_iter()
    .map(|(name, source)| (name.to_string(), source.to_string()))
    .collect();
    let graph = imports(&known);
    assert_eq!(
        graph["a"],
        BTreeSet::from(["b".to_string(), "c".to_string()])
    );
    assert_eq!(graph["b"], BTreeSet::from(["c".to_string()]));
    let found = circles(&graph);
    assert_eq!(
        found,
        BTreeSet::from([
            vec!["a".to_string(), "b".to_string(), "c".to_string()],
            vec!["a".to_string(), "c".to_string()],
        ])
    );
}
