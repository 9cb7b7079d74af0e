//! No message the xtask or the generated crate prints holds a run of blanks inside a line: the
//! mark of a string continued onto the next source line without a `\`, whose indentation then
//! becomes part of the message.

mod common;

use common::rust_files;
use syn::visit::Visit;

/// The string literals of a file, outside attributes (doc comments keep their own layout).
#[derive(Default)]
struct Literals {
    found: Vec<(usize, String)>,
}

impl<'ast> Visit<'ast> for Literals {
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    fn visit_lit_str(&mut self, literal: &'ast syn::LitStr) {
        self.found
            .push((literal.span().start().line, literal.value()));
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // `format!("...")` and friends: their arguments are tokens, not parsed expressions.
        let parser = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
        if let Ok(arguments) = mac.parse_body_with(parser) {
            for argument in &arguments {
                self.visit_expr(argument);
            }
        }
    }
}

/// Whether a line of text has three or more blanks in a row after its first non-blank.
fn has_inner_run(text: &str) -> bool {
    text.lines()
        .any(|line| line.trim_start().trim_end().contains("   "))
}

fn runs_of_blanks(dir: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, text) in rust_files(dir) {
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut literals = Literals::default();
        literals.visit_file(&file);
        for (line, value) in literals.found {
            if has_inner_run(&value) {
                problems.push(format!("{path}:{line}: {value:?}"));
            }
        }
    }
    problems
}

#[test]
fn no_message_literal_has_a_run_of_blanks_inside_a_line() {
    for dir in ["xtask/src", "codegen/src"] {
        let problems = runs_of_blanks(dir);
        assert!(
            problems.is_empty(),
            "string literals with a run of blanks (a line continued without `\\`?):\n{}",
            problems.join("\n")
        );
    }
}

#[test]
fn a_lost_line_continuation_is_a_run_and_alignment_at_the_start_is_not() {
    assert!(has_inner_run(
        "would be a plain                      `String`"
    ));
    assert!(!has_inner_run("           ours: {}  upstream: {}"));
    assert!(!has_inner_run("a sentence.\n    indented next line"));
}
