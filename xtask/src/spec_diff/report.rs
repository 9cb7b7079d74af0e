//! What `spec-diff` found, and how it is printed: a readable text, or JSON for scripts.

use serde_json::{Value, json};
use std::fmt::Write as _;

/// How a difference bears on our spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Upstream has it, we lack it.
    Behind,
    /// Both have it, differently.
    Changed,
    /// We have it, upstream lacks it.
    Ahead,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Behind => "behind",
            Kind::Changed => "changed",
            Kind::Ahead => "ahead",
        }
    }
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Its kind.
    pub kind: Kind,
    /// What differs, in words.
    pub what: String,
    /// Where it is in our spec.
    pub ours: Option<String>,
    /// Where it is upstream.
    pub upstream: Option<String>,
}

/// The differences of one operation.
#[derive(Debug, Clone)]
pub struct OperationReport {
    /// `GET /keys`
    pub operation: String,
    /// The differences, behind first.
    pub findings: Vec<Finding>,
}

/// An upstream operation in a part of the API our spec covers only in part
/// (`x-covered-in-part`), which our spec does not declare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotCovered {
    /// `POST /guardrails`
    pub operation: String,
    /// Where it is upstream.
    pub upstream: String,
}

/// The whole comparison.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// One entry per operation compared: ours, and upstream's in our families.
    pub operations: Vec<OperationReport>,
    /// Upstream's operations we deliberately leave out, by method and path.
    pub not_covered: Vec<NotCovered>,
}

impl Report {
    /// How many findings of a kind.
    pub fn count(&self, kind: Kind) -> usize {
        self.operations
            .iter()
            .flat_map(|o| &o.findings)
            .filter(|f| f.kind == kind)
            .count()
    }

    /// Whether our spec is behind or differs.
    pub fn needs_work(&self) -> bool {
        self.count(Kind::Behind) + self.count(Kind::Changed) > 0
    }

    /// The readable report.
    pub fn to_text(&self, ours: &str, upstream: &str) -> String {
        let mut out = format!("spec-diff: {ours} (ours) vs {upstream} (upstream)\n");
        for op in &self.operations {
            let _ = writeln!(out, "\n{}", op.operation);
            if op.findings.is_empty() {
                let _ = writeln!(out, "  same");
            }
            for f in &op.findings {
                let _ = writeln!(out, "  {:<8} {}", f.kind.label().to_uppercase(), f.what);
                let _ = writeln!(
                    out,
                    "           ours: {}  upstream: {}",
                    f.ours.as_deref().unwrap_or("-"),
                    f.upstream.as_deref().unwrap_or("-")
                );
            }
        }
        if !self.not_covered.is_empty() {
            let _ = writeln!(
                out,
                "\nnot covered (our spec covers these paths in part: x-covered-in-part)"
            );
            for op in &self.not_covered {
                let _ = writeln!(out, "  {}  upstream: {}", op.operation, op.upstream);
            }
        }
        let _ = write!(
            out,
            "\n{} behind, {} changed, {} ahead",
            self.count(Kind::Behind),
            self.count(Kind::Changed),
            self.count(Kind::Ahead)
        );
        if !self.not_covered.is_empty() {
            let _ = write!(out, ", {} not covered", self.not_covered.len());
        }
        out.push('\n');
        out
    }

    /// The machine-readable report.
    pub fn to_json(&self) -> Value {
        json!({
            "behind": self.count(Kind::Behind),
            "changed": self.count(Kind::Changed),
            "ahead": self.count(Kind::Ahead),
            "not_covered": self.not_covered.iter().map(|o| json!({
                "operation": o.operation,
                "upstream": o.upstream,
            })).collect::<Vec<_>>(),
            "operations": self.operations.iter().map(|o| json!({
                "operation": o.operation,
                "findings": o.findings.iter().map(|f| json!({
                    "kind": f.kind.label(),
                    "what": f.what,
                    "ours": f.ours,
                    "upstream": f.upstream,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }
}
