//! What Ctrl-C leaves behind, said (and saved) on the way out.
//!
//! `main` races the command against Ctrl-C; the command's future is dropped when the signal
//! wins, so the command cannot speak for itself. Before its risky part, a command registers
//! here what to do and say then: `create` the advice for a key that may exist, `bulk-create`
//! and `rotate` writing the secrets file from the journal (re-opened once the dropped command
//! has released it).

use std::sync::Mutex;

type Hook = Box<dyn FnOnce() -> String + Send>;

static HOOK: Mutex<Option<Hook>> = Mutex::new(None);

/// Registers what Ctrl-C must do and say from now on (replacing an earlier registration).
pub fn on_interrupt(hook: impl FnOnce() -> String + Send + 'static) {
    *HOOK.lock().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(hook));
}

/// Runs the registered hook, once the interrupted command is dropped; its message.
pub fn run_hook() -> Option<String> {
    let hook = HOOK.lock().unwrap_or_else(|p| p.into_inner()).take();
    hook.map(|hook| hook())
}

/// Forgets the registration: Ctrl-C from now on gets the general message.
pub fn clear() {
    HOOK.lock().unwrap_or_else(|p| p.into_inner()).take();
}
