//! Rules about the SDK's own source that the compiler does not check, read from `src/`:
//!
//! - no module circles: a module never uses, directly or through others, one that uses it
//!   (so that each layer can be read, tested and changed without the ones above it);
//! - operations are named (`OperationId::…`) only in `operation_id.rs` and in the files that
//!   declare operations (`impl Exchange for …`): what differs per operation is declared there
//!   once, and the shared call code asks the operation instead of comparing names;
//! - no message literal with a run of blanks inside a sentence, the trace of a lost `\` line
//!   continuation.
//!
//! A dependency is any path through `crate::` outside comments (`use` lines and inline paths
//! alike, test modules included), attributed to the top-level module it names or, for an item
//! re-exported at the crate root, to the module it comes from. The files of a folder module
//! (`model/`) count as that module. `cargo test -p openrouter-keys --test source_layout --
//! --nocapture` prints the module graph.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/`, relative to it, sorted.
fn files() -> Vec<PathBuf> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path.strip_prefix(base).unwrap().to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(&src(), &src(), &mut out);
    out.sort();
    out
}

fn read(file: &Path) -> String {
    std::fs::read_to_string(src().join(file)).unwrap()
}

/// The top-level module a file belongs to (`model/key.rs` → `model`); `None` for `lib.rs`.
fn module_of(file: &Path) -> Option<String> {
    let first = file.components().next()?.as_os_str().to_str()?.to_string();
    match first.strip_suffix(".rs") {
        Some("lib") => None,
        Some(name) => Some(name.to_string()),
        None => Some(first),
    }
}

/// `text` with comments and the contents of string and char literals blanked out (newlines
/// kept), so that what remains is code.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if let Some((end, _)) = literal_at(&chars, i) {
            for &skipped in &chars[i..end] {
                out.push(if skipped == '\n' { '\n' } else { ' ' });
            }
            i = end;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The string literals of `text` outside comments: (line, raw, contents as written).
fn string_literals(text: &str) -> Vec<(usize, bool, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if let Some((end, kind)) = literal_at(&chars, i) {
            if let Literal::Str { raw } = kind {
                let line = chars[..i].iter().filter(|&&c| c == '\n').count() + 1;
                found.push((line, raw, chars[i..end].iter().collect()));
            }
            i = end;
            continue;
        }
        i += 1;
    }
    found
}

enum Literal {
    Str { raw: bool },
    Char,
}

/// The literal starting at `i`, if one does: where it ends and what it is. A `'` that does
/// not close as a char literal is a lifetime.
fn literal_at(chars: &[char], i: usize) -> Option<(usize, Literal)> {
    let prev_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    match chars[i] {
        '"' => {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            Some((j + 1, Literal::Str { raw: false }))
        }
        'r' if !prev_ident && matches!(chars.get(i + 1), Some('"' | '#')) => {
            let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                return None;
            }
            let closing: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let mut j = i + 2 + hashes;
            while j < chars.len() && !chars[j..].starts_with(&closing) {
                j += 1;
            }
            Some((j + closing.len(), Literal::Str { raw: true }))
        }
        '\'' => {
            if chars.get(i + 1) == Some(&'\\') {
                let mut j = i + 2;
                while j < chars.len() && chars[j] != '\'' {
                    j += 1;
                }
                Some((j + 1, Literal::Char))
            } else if chars.get(i + 2) == Some(&'\'') {
                Some((i + 3, Literal::Char))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The first path segment after each `crate::` in `code` (`crate::{a::X, b}` gives `a`, `b`).
fn crate_paths(code: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = code[at + "crate::".len()..].trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            let (mut depth, mut start) = (0, 0);
            for (k, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.push(ident(group[start..k].trim()));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(ident(group[start..k].trim()));
                        start = k + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.push(ident(rest));
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// The top-level modules (`mod x;` in `lib.rs`) and what the crate root re-exports from each
/// (`pub use x::{A, B}` maps `A` and `B` to `x`).
fn root() -> (BTreeSet<String>, BTreeMap<String, String>) {
    let lib = code_only(&read(Path::new("lib.rs")));
    let mut modules = BTreeSet::new();
    for line in lib.lines() {
        let line = line.trim();
        if let Some(name) = line
            .strip_prefix("pub mod ")
            .or_else(|| line.strip_prefix("mod "))
            .and_then(|rest| rest.strip_suffix(';'))
        {
            modules.insert(name.trim().to_string());
        }
    }
    let mut reexports = BTreeMap::new();
    for statement in lib.split(';') {
        let Some(path) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let path = path.trim().trim_start_matches("crate::");
        let Some((module, rest)) = path.split_once("::") else {
            continue;
        };
        if !modules.contains(module) {
            continue;
        }
        let names = rest.trim().trim_start_matches('{').trim_end_matches('}');
        for name in names.split(',') {
            let name = name.trim().rsplit("::").next().unwrap_or("").trim();
            if name == "*" {
                for item in public_items(module) {
                    reexports.insert(item, module.to_string());
                }
            } else if !name.is_empty() {
                reexports.insert(name.to_string(), module.to_string());
            }
        }
    }
    (modules, reexports)
}

/// The names a module's file declares `pub` (what `pub use module::*` re-exports).
fn public_items(module: &str) -> Vec<String> {
    let code = code_only(&read(Path::new(&format!("{module}.rs"))));
    let mut items = Vec::new();
    for line in code.lines() {
        let Some(rest) = line.trim().strip_prefix("pub ") else {
            continue;
        };
        let mut words = rest.split_whitespace();
        if let (Some("struct" | "enum" | "trait" | "fn" | "type" | "const"), Some(name)) =
            (words.next(), words.next())
        {
            let name: String = name
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            items.push(name);
        }
    }
    items
}

/// Which top-level modules each top-level module uses.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let (modules, reexports) = root();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files() {
        let Some(from) = module_of(&file) else {
            continue;
        };
        let uses = graph.entry(from.clone()).or_default();
        for first in crate_paths(&code_only(&read(&file))) {
            let to = if modules.contains(&first) {
                Some(first)
            } else {
                reexports.get(&first).cloned()
            };
            if let Some(to) = to.filter(|to| *to != from) {
                uses.insert(to);
            }
        }
    }
    graph
}

/// The groups of modules that reach each other (strongly connected components of more than
/// one module), each as one circle through all of them where one exists.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let reaches = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(node) = todo.pop() {
            for next in graph.get(&node).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reach: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|node| (node, reaches(node))).collect();
    let mut groups: Vec<Vec<String>> = Vec::new();
    for node in graph.keys() {
        if groups.iter().any(|g| g.contains(node)) || !reach[node].contains(node) {
            continue;
        }
        let group: Vec<String> = graph
            .keys()
            .filter(|other| reach[node].contains(*other) && reach[*other].contains(node))
            .cloned()
            .collect();
        groups.push(group);
    }
    groups
}

#[test]
fn no_module_uses_one_that_uses_it() {
    let graph = module_graph();
    for (module, uses) in &graph {
        let uses: Vec<&str> = uses.iter().map(String::as_str).collect();
        println!("{module} -> {}", uses.join(", "));
    }
    let circles = circles(&graph);
    for group in &circles {
        println!("circle: {}", group.join(" <-> "));
    }
    assert!(
        circles.is_empty(),
        "modules that use each other (directly or through others): {circles:?}"
    );
    // The check itself sees dependencies: the module that holds a call's loop uses the
    // client, and the client does not use it; items re-exported by `pub use keys::*` are
    // traced to `keys`.
    assert!(graph["exchange"].contains("client"), "{graph:?}");
    assert_eq!(root().1.get("ListKeys").map(String::as_str), Some("keys"));
}

/// Everything before a file's first `#[cfg(test)]`: its code outside unit tests, which may
/// name operations to build fixtures.
fn outside_tests(text: &str) -> &str {
    text.split("#[cfg(test)]").next().unwrap_or(text)
}

#[test]
fn operations_are_named_only_where_they_are_declared() {
    let mut declaring = Vec::new();
    let mut naming_elsewhere = Vec::new();
    for file in files() {
        let code = code_only(outside_tests(&read(&file)));
        if code.contains("impl Exchange for ") {
            declaring.push(file.display().to_string());
        } else if code.contains("OperationId::") && file != Path::new("operation_id.rs") {
            naming_elsewhere.push(file.display().to_string());
        }
    }
    println!("operations declared in: {}", declaring.join(", "));
    assert!(!declaring.is_empty(), "no file declares an operation");
    assert!(
        naming_elsewhere.is_empty(),
        "these files name operations (`OperationId::…`) instead of asking the operation's \
         declaration: {naming_elsewhere:?}"
    );
}

/// The string literals of `text` (line, literal) with a run of blanks inside a sentence: a
/// line break without `\` (which keeps the next line's indentation), or two blanks between
/// words. Raw strings are left alone.
fn blanks_inside_sentences(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (line, raw, literal) in string_literals(text) {
        if raw {
            continue;
        }
        let contents = &literal[1..literal.len() - 1];
        let lost_continuation = contents
            .split('\n')
            .zip(contents.split('\n').skip(1))
            .any(|(before, _)| !before.ends_with('\\'));
        let blanks_inside = contents.split('\n').any(|part| part.trim().contains("  "));
        if lost_continuation || blanks_inside {
            found.push((line, literal));
        }
    }
    found
}

#[test]
fn no_message_has_a_run_of_blanks_inside_a_sentence() {
    let mut found = Vec::new();
    for file in files() {
        for (line, literal) in blanks_inside_sentences(&read(&file)) {
            found.push(format!("{}:{line}: {literal}", file.display()));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
    let sample = "let a = \"kept \\\n    whole\";\nlet b = \"lost\n    here\";\n\
                  let c = \"two  blanks\";\nlet d = \"  \"; let e = r\"raw\n  ok\"; let f = '\"';";
    let flagged: Vec<usize> = blanks_inside_sentences(sample)
        .into_iter()
        .map(|(line, _)| line)
        .collect();
    assert_eq!(flagged, vec![3, 5], "{sample}");
}

#[test]
fn the_circle_check_finds_circles_through_other_modules() {
    let graph = |edges: &[(&str, &str)]| {
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, to) in edges {
            graph
                .entry(from.to_string())
                .or_default()
                .insert(to.to_string());
            graph.entry(to.to_string()).or_default();
        }
        graph
    };
    let through_two = graph(&[("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]);
    assert_eq!(circles(&through_two), vec![vec!["a", "b", "c"]]);
    let layered = graph(&[("a", "b"), ("b", "c"), ("a", "c")]);
    assert!(circles(&layered).is_empty());
    assert_eq!(
        crate_paths("use crate::{a::X, b::{Y, Z}}; crate::c::f(); crate :: d"),
        vec!["a", "b", "c"]
    );
}
