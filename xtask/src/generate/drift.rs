//! What `check` reports: each generated file whose checked-in text differs from what the spec
//! generates, as a unified diff.

use super::GeneratedFile;
use crate::error::XtaskError;
use std::path::Path;

/// One file whose checked-in text differs from what the spec generates.
#[derive(Debug)]
pub struct Drift {
    /// Path relative to the repository root.
    pub path: String,
    /// Unified diff from the checked-in text to the generated text.
    pub diff: String,
}

/// Compares generated files with the files under `root`.
pub fn find_drift(root: &Path, files: &[GeneratedFile]) -> Result<Vec<Drift>, XtaskError> {
    let mut drift = Vec::new();
    for file in files {
        let on_disk_path = root.join(&file.path);
        let shown = file.path.display().to_string();
        let on_disk = match std::fs::read_to_string(&on_disk_path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(XtaskError::new(format!("cannot read it: {e}")).in_file(shown));
            }
        };
        if on_disk != file.contents {
            let diff = similar::TextDiff::from_lines(&on_disk, &file.contents)
                .unified_diff()
                .context_radius(3)
                .header(
                    &format!("a/{shown} (checked in)"),
                    &format!("b/{shown} (generated)"),
                )
                .to_string();
            drift.push(Drift { path: shown, diff });
        }
    }
    Ok(drift)
}
