//! Files that hold secrets: created with mode 0600 from the first byte (never a moment
//! world-readable), written and fsynced before the CLI reports success, and never
//! overwritten unless the user said `--force`.
//!
//! A replacement is written to a temporary file beside the target and renamed over it, so
//! readers see the old file or the new one, never half of one.

use crate::error::{CliError, CliResult};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Opens a new file that only its owner may read or write; fails if it exists.
pub fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    // Readable too: a journal is read back when it must be restored (`journal.rs`).
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Makes a rename or creation in `path`'s directory durable.
pub fn sync_parent(path: &Path) {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Directories cannot be opened for syncing on every platform; a failure here loses
    // durability of the name only, never the file's contents.
    if let Ok(dir) = File::open(parent) {
        let _ = dir.sync_all();
    }
}

/// Refuses to start writing secrets over an existing file unless `force`. A symlink counts
/// as existing even when it points nowhere (the file would be created where it points).
pub fn check_writable(path: &Path, force: bool) -> CliResult<()> {
    refuse_not_a_file(path)?;
    if path.symlink_metadata().is_ok() && !force {
        return Err(exists_error(path));
    }
    Ok(())
}

/// A directory is never a secrets file, `--force` or not, and neither is `-` (which reads as
/// stdout or stdin, as in `bulk-delete -`, but would make a file named `-`): found before
/// any key exists.
pub fn refuse_not_a_file(path: &Path) -> CliResult<()> {
    if path.as_os_str() == "-" {
        return Err(CliError::usage(
            "`-` names no file, and secrets go to a private file (0600) here",
        )
        .hint(
            "name a file (a file named `-` is `./-`); `create` without --secret-file prints \
               the secret on stdout",
        ));
    }
    if path.is_dir() {
        return Err(CliError::usage(format!(
            "`{}` is a directory; name a file inside it for the secrets (--force never \
             replaces a directory)",
            path.display()
        )));
    }
    Ok(())
}

/// Refuses a secrets file that is the input file itself (`--force` would overwrite the input
/// with secrets). Compared by canonical path, so `./in.csv` and `in.csv` are one file.
pub fn refuse_same_file(secrets: &Path, input: &Path) -> CliResult<()> {
    let same = match (std::fs::canonicalize(secrets), std::fs::canonicalize(input)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        return Err(CliError::usage(format!(
            "--secrets-out `{}` is the input file; the secrets would overwrite it (--force or \
             not). Name another file",
            secrets.display()
        )));
    }
    Ok(())
}

fn exists_error(path: &Path) -> CliError {
    CliError::usage(format!(
        "`{}` exists (or is a symlink); refusing to overwrite a secrets file (pass --force to \
         replace it)",
        path.display()
    ))
}

/// A secrets file created before the key whose secret it will hold, so that a path that
/// cannot be written (no such directory, an existing file, a dangling symlink) is found
/// before anything is created. Without `replace` it is `path` itself, created exclusively;
/// with `replace` it is a temporary file beside `path`, renamed over it by
/// [`commit`](Self::commit). Dropped without a commit (the create failed, Ctrl-C), the
/// still-empty file is removed.
pub struct ReservedFile {
    path: PathBuf,
    /// The file being written: `path` itself, or the temporary file when replacing.
    written: PathBuf,
    file: Option<File>,
}

impl ReservedFile {
    pub fn new(path: &Path, replace: bool) -> CliResult<Self> {
        refuse_not_a_file(path)?;
        let written = if replace {
            let temp = temp_path(path);
            let _ = std::fs::remove_file(&temp);
            temp
        } else {
            path.to_path_buf()
        };
        let file = create_private(&written).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists && !replace {
                exists_error(path)
            } else {
                CliError::io("cannot create the secret file", path, &e)
            }
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            written,
            file: Some(file),
        })
    }

    /// Writes `contents`, fsyncs, and (when replacing) renames the file into place.
    pub fn commit(mut self, contents: &[u8]) -> CliResult<()> {
        let fail = |e: std::io::Error| CliError::io("cannot write the secret file", &self.path, &e);
        let Some(mut file) = self.file.take() else {
            return Ok(());
        };
        let result = file
            .write_all(contents)
            .and_then(|()| file.sync_all())
            .and_then(|()| still_there(&file, &self.written))
            .and_then(|()| {
                if self.written != self.path {
                    std::fs::rename(&self.written, &self.path)
                } else {
                    Ok(())
                }
            });
        if let Err(e) = result {
            let _ = std::fs::remove_file(&self.written);
            return Err(fail(e));
        }
        sync_parent(&self.path);
        Ok(())
    }
}

/// Whether `path` still names `file`: a file (or its directory) removed while the key was
/// being created takes writes without complaint, and the secret would be lost unseen.
fn still_there(file: &File, path: &Path) -> std::io::Result<()> {
    let gone = || {
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "the file (or its directory) was removed or replaced while the key was being created",
        )
    };
    let on_disk = std::fs::metadata(path).map_err(|_| gone())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let open = file.metadata()?;
        if (open.dev(), open.ino()) != (on_disk.dev(), on_disk.ino()) {
            return Err(gone());
        }
    }
    #[cfg(not(unix))]
    let _ = (file, on_disk);
    Ok(())
}

impl Drop for ReservedFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.written);
        }
    }
}

/// Writes `contents` to `path` (mode 0600), fsynced. With `replace`, an existing file is
/// replaced atomically; without, an existing file is an error.
pub fn write_private(path: &Path, contents: &[u8], replace: bool) -> CliResult<()> {
    let fail = |e: std::io::Error| CliError::io("cannot write the secrets file", path, &e);
    if !replace {
        let mut file = create_private(path).map_err(fail)?;
        file.write_all(contents).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        sync_parent(path);
        return Ok(());
    }
    let temp = temp_path(path);
    let _ = std::fs::remove_file(&temp);
    let result = (|| {
        let mut file = create_private(&temp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(fail(e));
    }
    sync_parent(path);
    Ok(())
}

/// Writes a CSV of secrets (`header`, then `records`) to `path` as [`write_private`] does,
/// replacing the file; returns the number of records.
pub fn write_private_csv<R, F>(
    path: &Path,
    header: &[&str],
    records: impl IntoIterator<Item = R>,
) -> CliResult<usize>
where
    R: IntoIterator<Item = F>,
    F: AsRef<str>,
{
    let fail = |e: csv::Error| CliError::failure(format!("cannot encode the secrets file: {e}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).map_err(fail)?;
    let mut count = 0;
    for record in records {
        let fields: Vec<F> = record.into_iter().collect();
        writer
            .write_record(fields.iter().map(|f| f.as_ref().as_bytes()))
            .map_err(fail)?;
        count += 1;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| CliError::failure(format!("cannot encode the secrets file: {e}")))?;
    write_private(path, &bytes, true)?;
    Ok(count)
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", std::process::id()));
    path.with_file_name(name)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn private_files_are_0600_and_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.csv");
        write_private(&path, b"one", false).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(write_private(&path, b"two", false).is_err());
        assert!(check_writable(&path, false).is_err());
        write_private(&path, b"three", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "three");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
