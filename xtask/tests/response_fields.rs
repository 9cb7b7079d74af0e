//! The regeneration path cannot drop data silently: every field of every response type the
//! generator makes (`codegen/src/client.rs`) reaches the SDK (`sdk/src`), or is kept out there
//! on purpose, with a comment saying why.
//!
//! The SDK converts each generated response type with a pattern that names every field, never
//! with `..`, so a field the spec gains is a compile error at that pattern. This test makes that
//! the rule, and names the field even before anything is compiled: it finds the response types
//! of the generated client (what each builder's `read_response` returns, and the types of their
//! fields, transitively), finds every struct pattern of a generated type (`types::X { .. }`) in
//! `sdk/src`, and reports each generated field no pattern of its type names, each such pattern
//! that ends with `..`, each response type no pattern destructures, and each field kept out
//! without a `//` comment on its line or the line above saying why.
//!
//! A field is exposed when the pattern binds it to a name, or binds it to `_` in a
//! `let types::X { .. } = &value;` (or `= value;`) whose function then reads `value.field`
//! (a check that binds nothing, so that the fields move straight from `value`); otherwise it is
//! kept out.

mod common;

use common::{repo_root, rust_files};
use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use std::collections::{BTreeMap, BTreeSet};
use syn::spanned::Spanned;
use syn::visit::Visit;

/// Generated structs with named fields: name → its fields, in declaration order.
type Structs = BTreeMap<String, Vec<String>>;

/// The response types of a generated client, with their fields.
fn response_types(client: &str) -> Structs {
    let file = syn::parse_file(client).unwrap();
    let mut structs = Structs::new();
    let mut field_types = BTreeMap::<String, TokenStream>::new();
    let mut returned = TokenStream::new();
    for item in &file.items {
        let syn::Item::Mod(module) = item else {
            continue;
        };
        let Some((_, items)) = &module.content else {
            continue;
        };
        for inner in items {
            match inner {
                syn::Item::Struct(generated) if module.ident == "types" => {
                    if let syn::Fields::Named(fields) = &generated.fields {
                        let name = generated.ident.to_string();
                        let names = fields.named.iter().filter_map(|f| f.ident.as_ref());
                        structs.insert(name.clone(), names.map(|i| i.to_string()).collect());
                        let types = fields.named.iter().map(|f| f.ty.to_token_stream());
                        field_types.insert(name, types.collect());
                    }
                }
                syn::Item::Impl(block) if module.ident == "builder" => {
                    for member in &block.items {
                        if let syn::ImplItem::Fn(function) = member
                            && function.sig.ident == "read_response"
                        {
                            returned.extend(function.sig.output.to_token_stream());
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut pending = idents(returned);
    let mut responses = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if structs.contains_key(&name) && responses.insert(name.clone()) {
            pending.extend(idents(field_types[&name].clone()));
        }
    }
    structs.retain(|name, _| responses.contains(name));
    structs
}

/// Every identifier in `tokens`.
fn idents(tokens: TokenStream) -> Vec<String> {
    let mut found = Vec::new();
    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) => found.push(ident.to_string()),
            TokenTree::Group(group) => found.extend(idents(group.stream())),
            _ => {}
        }
    }
    found
}

/// One struct pattern of a generated type in the SDK: `types::Key { hash, name, .. }`.
#[derive(Debug)]
struct Pattern {
    file: String,
    line: usize,
    type_name: String,
    bindings: Vec<Binding>,
    rest: bool,
}

/// One field of a pattern, and whether it is kept out: bound to `_` or `_name`, and not read
/// from the pattern's value.
#[derive(Debug)]
struct Binding {
    field: String,
    kept_out: bool,
    line: usize,
}

/// Finds the struct patterns whose path ends in `types::Name`, function by function.
struct PatternFinder<'a> {
    file: &'a str,
    found: Vec<Pattern>,
    /// The patterns of the function being visited, with the variable each one matches.
    in_function: Vec<(Pattern, Option<String>)>,
    /// `variable.field` reads in the function being visited.
    reads: BTreeSet<(String, String)>,
    /// The variable a `let` matches, for the pattern about to be visited.
    scrutinee: Option<String>,
}

impl PatternFinder<'_> {
    /// Visits one function body, then settles which `_` fields it reads.
    fn function(&mut self, visit: impl FnOnce(&mut Self)) {
        let outer = (
            std::mem::take(&mut self.in_function),
            std::mem::take(&mut self.reads),
        );
        visit(self);
        for (mut pattern, scrutinee) in std::mem::take(&mut self.in_function) {
            for binding in &mut pattern.bindings {
                let read = scrutinee
                    .as_ref()
                    .is_some_and(|v| self.reads.contains(&(v.clone(), binding.field.clone())));
                binding.kept_out &= !read;
            }
            self.found.push(pattern);
        }
        (self.in_function, self.reads) = outer;
    }
}

/// The variable `expr` names, seen through one `&`.
fn variable(expr: &syn::Expr) -> Option<String> {
    match expr {
        syn::Expr::Reference(reference) => variable(&reference.expr),
        syn::Expr::Path(path) => path.path.get_ident().map(|i| i.to_string()),
        _ => None,
    }
}

impl<'ast> Visit<'ast> for PatternFinder<'_> {
    fn visit_item_fn(&mut self, function: &'ast syn::ItemFn) {
        self.function(|finder| syn::visit::visit_item_fn(finder, function));
    }

    fn visit_impl_item_fn(&mut self, function: &'ast syn::ImplItemFn) {
        self.function(|finder| syn::visit::visit_impl_item_fn(finder, function));
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let Some(init) = &local.init {
            self.visit_expr(&init.expr);
            self.scrutinee = variable(&init.expr);
        }
        self.visit_pat(&local.pat);
        self.scrutinee = None;
    }

    fn visit_expr_field(&mut self, read: &'ast syn::ExprField) {
        if let (Some(base), syn::Member::Named(field)) = (variable(&read.base), &read.member) {
            self.reads.insert((base, field.to_string()));
        }
        syn::visit::visit_expr_field(self, read);
    }

    fn visit_pat_struct(&mut self, pattern: &'ast syn::PatStruct) {
        let scrutinee = self.scrutinee.take();
        let segments: Vec<String> = pattern
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if let [.., module, name] = segments.as_slice()
            && module == "types"
        {
            let bindings = pattern
                .fields
                .iter()
                .filter_map(|field| {
                    let syn::Member::Named(ident) = &field.member else {
                        return None;
                    };
                    let kept_out = match field.pat.as_ref() {
                        syn::Pat::Wild(_) => true,
                        syn::Pat::Ident(binding) => binding.ident.to_string().starts_with('_'),
                        _ => false,
                    };
                    Some(Binding {
                        field: ident.to_string(),
                        kept_out,
                        line: ident.span().start().line,
                    })
                })
                .collect();
            let found = Pattern {
                file: self.file.to_string(),
                line: pattern.path.span().start().line,
                type_name: name.clone(),
                bindings,
                rest: pattern.rest.is_some(),
            };
            self.in_function.push((found, scrutinee));
        }
        syn::visit::visit_pat_struct(self, pattern);
    }
}

/// Every pattern of a generated type in `sources` (path, text).
fn patterns(sources: &[(String, String)]) -> Vec<Pattern> {
    let mut found = Vec::new();
    for (path, text) in sources {
        let file = syn::parse_file(text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut finder = PatternFinder {
            file: path,
            found: Vec::new(),
            in_function: Vec::new(),
            reads: BTreeSet::new(),
            scrutinee: None,
        };
        finder.function(|finder| finder.visit_file(&file));
        found.extend(finder.found);
    }
    found
}

/// Whether line `line` (1-based) of `text` carries a `//` comment, or follows one.
fn commented(text: &str, line: usize) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    let at = |n: usize| n.checked_sub(1).and_then(|i| lines.get(i)).copied();
    at(line).is_some_and(|l| l.contains("//"))
        || at(line.saturating_sub(1)).is_some_and(|l| l.trim_start().starts_with("//"))
}

/// What is wrong, one sentence per problem.
fn problems(types: &Structs, sources: &[(String, String)]) -> Vec<String> {
    let found = patterns(sources);
    let text_of: BTreeMap<&str, &str> = sources
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    let mut problems = Vec::new();
    for (name, fields) in types {
        let of_type: Vec<&Pattern> = found.iter().filter(|p| &p.type_name == name).collect();
        if of_type.is_empty() {
            problems.push(format!(
                "`types::{name}` is a response type that sdk/src never destructures field by \
                 field, so a field added to it would be dropped silently: convert it with \
                 `let types::{name} {{ {} }} = value;`",
                fields.join(", ")
            ));
        }
        for pattern in of_type {
            let at = format!("{}:{}", pattern.file, pattern.line);
            if pattern.rest {
                problems.push(format!(
                    "{at}: the pattern of `types::{name}` ends with `..`: name every field \
                     instead, so that a field the spec gains is a compile error there"
                ));
            }
            for field in fields {
                if !pattern.bindings.iter().any(|b| &b.field == field) {
                    problems.push(format!(
                        "`{name}.{field}`, a field of the generated response type \
                         `types::{name}`, is neither exposed by the SDK nor kept out on \
                         purpose: the pattern at {at} does not name it; bind it there and \
                         expose it in the public model, or bind it to `_` with a comment \
                         saying why it is kept out"
                    ));
                }
            }
            for binding in pattern.bindings.iter().filter(|b| b.kept_out) {
                if !commented(text_of[pattern.file.as_str()], binding.line) {
                    problems.push(format!(
                        "{}:{}: `{name}.{}` is kept out (bound to `_` and not read) without \
                         a comment saying why",
                        pattern.file, binding.line, binding.field
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn every_generated_response_field_is_exposed_or_kept_out_on_purpose() {
    let client = std::fs::read_to_string(repo_root().join("codegen/src/client.rs")).unwrap();
    let types = response_types(&client);
    // A client this test could not read would make it pass with nothing checked.
    for expected in [
        "BudgetLayer",
        "CreatedKeyResponse",
        "CurrentKey",
        "CurrentKeyResponse",
        "DeleteKeyResponse",
        "ErrorDetail",
        "ErrorResponse",
        "FreeModelDailyRequests",
        "Key",
        "KeyListResponse",
        "KeyResponse",
        "RateLimit",
    ] {
        assert!(types.contains_key(expected), "{expected}: {types:?}");
    }
    let problems = problems(&types, &rust_files("sdk/src"));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A generated client in miniature: `Key` and its envelope are responses, `NewKey` a request.
const CLIENT: &str = r#"
    pub mod types {
        pub struct Key { pub hash: String, pub name: Option<String>, pub rotated_at: Option<String> }
        pub struct KeyResponse { pub data: Key }
        pub struct NewKey { pub name: String }
        pub struct Limit(pub Option<f64>);
    }
    pub mod builder {
        impl<'a> GetKey<'a> {
            pub async fn read_response(response: Response)
                -> Result<ResponseValue<types::KeyResponse>, Error<()>> { todo!() }
        }
    }
"#;

fn sdk(source: &str) -> Vec<(String, String)> {
    vec![("sdk/src/model/key.rs".to_string(), source.to_string())]
}

#[test]
fn the_response_types_are_what_read_response_returns_and_what_they_hold() {
    let types = response_types(CLIENT);
    assert_eq!(
        types.keys().collect::<Vec<_>>(),
        ["Key", "KeyResponse"],
        "{types:?}"
    );
    assert_eq!(types["Key"], ["hash", "name", "rotated_at"]);
}

#[test]
fn a_field_no_pattern_names_is_reported_by_name() {
    let source = "fn from(k: types::KeyResponse) -> Key {
        let types::KeyResponse { data } = k;
        let types::Key { hash, name } = data;
        Key { hash, name }
    }";
    let problems = problems(&response_types(CLIENT), &sdk(source));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].starts_with("`Key.rotated_at`, a field of the generated response type")
            && problems[0].contains("sdk/src/model/key.rs:3"),
        "{problems:#?}"
    );
}

#[test]
fn a_pattern_with_rest_or_an_uncommented_keep_out_is_reported() {
    let source = "fn from(k: types::KeyResponse) -> Key {
        let types::KeyResponse { data } = k;
        let types::Key { hash, name, .. } = data.clone();
        let types::Key {
            hash,
            name,
            rotated_at: _,
        } = data;
        Key { hash, name }
    }";
    let problems = problems(&response_types(CLIENT), &sdk(source));
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(problems[0].contains(":3: the pattern of `types::Key` ends with `..`"));
    assert!(problems[1].starts_with("`Key.rotated_at`"), "{problems:#?}");
    assert!(
        problems[2].contains(":7: `Key.rotated_at` is kept out (bound to `_` and not read)"),
        "{problems:#?}"
    );
    let commented = source.replace(
        "            rotated_at: _,",
        "            // Kept out on purpose: the SDK has no use for it.\n            rotated_at: _,",
    );
    let problems = self::problems(&response_types(CLIENT), &sdk(&commented));
    assert_eq!(problems.len(), 2, "{problems:#?}");
}

#[test]
fn a_field_of_a_check_pattern_is_exposed_only_when_read_from_its_value() {
    let source = "fn from(k: types::KeyResponse) -> Key {
        let types::KeyResponse { data } = k;
        let types::Key { hash: _, name: _, rotated_at: _ } = &data;
        Key { hash: data.hash, name: data.name }
    }";
    let problems = problems(&response_types(CLIENT), &sdk(source));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].contains(":3: `Key.rotated_at` is kept out"),
        "{problems:#?}"
    );
    let read = source.replace("name: data.name", "name: data.name, at: data.rotated_at");
    assert_eq!(
        self::problems(&response_types(CLIENT), &sdk(&read)),
        Vec::<String>::new()
    );
}

#[test]
fn a_response_type_never_destructured_is_reported() {
    let source = "fn from(k: types::KeyResponse) -> Key { Key { hash: k.data.hash } }";
    let problems = problems(&response_types(CLIENT), &sdk(source));
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(
        problems[0].starts_with("`types::Key` is a response type that sdk/src never destructures")
            && problems[0].contains("`let types::Key { hash, name, rotated_at } = value;`"),
        "{problems:#?}"
    );
    assert!(
        problems[1].starts_with("`types::KeyResponse`"),
        "{problems:#?}"
    );
}
