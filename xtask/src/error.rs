//! The one error type of the xtask: a one-paragraph message saying what is wrong and where.
//!
//! Every failure the xtask can meet (a missing file, a document that is not YAML/JSON, a wrong
//! OpenAPI version, a construct the converter cannot translate, a generator failure) becomes an
//! `XtaskError`, printed once by `main` before exiting with code 1. Nothing here panics.

use std::fmt;

/// A failure with enough context to fix it: the file and, for spec problems, a JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XtaskError {
    /// The file the problem is in, when there is one.
    pub file: Option<String>,
    /// JSON pointer (RFC 6901) of the offending node, when the problem is in a document.
    pub pointer: Option<String>,
    /// What is wrong and, where it helps, what to do.
    pub message: String,
}

impl XtaskError {
    /// A problem not tied to one node of a document.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            file: None,
            pointer: None,
            message: message.into(),
        }
    }

    /// A problem at one node of a document.
    pub fn at(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: None,
            pointer: Some(pointer.into()),
            message: message.into(),
        }
    }

    /// Attaches the file the problem is in (keeps one already set).
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        if self.file.is_none() {
            self.file = Some(file.into());
        }
        self
    }
}

impl fmt::Display for XtaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, &self.pointer) {
            (Some(file), Some(ptr)) => write!(f, "{file}: at {ptr}: {}", self.message),
            (Some(file), None) => write!(f, "{file}: {}", self.message),
            (None, Some(ptr)) => write!(f, "at {ptr}: {}", self.message),
            (None, None) => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for XtaskError {}
