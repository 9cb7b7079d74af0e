//! What Ctrl-C leaves behind, said (and saved) on the way out.
//!
//! `main` races the command against Ctrl-C; the command's future is dropped when the signal
//! wins, so the command cannot speak for itself. Before its risky part, a command registers
//! in its context's [`OnInterrupt`] what to do and say then: `create` the advice for a key
//! that may exist, a batch writing the secrets file from its journal (re-opened once the
//! dropped command has released it), the y/N prompt that nothing was changed.

use std::sync::Mutex;

type Hook = Box<dyn FnOnce() -> String + Send>;

/// What Ctrl-C must do and say, as registered last.
#[derive(Default)]
pub struct OnInterrupt {
    hook: Mutex<Option<Hook>>,
}

impl OnInterrupt {
    /// Registers what Ctrl-C must do and say from now on (replacing an earlier
    /// registration).
    pub fn set(&self, hook: impl FnOnce() -> String + Send + 'static) {
        *self.hook.lock().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(hook));
    }

    /// Forgets the registration: Ctrl-C from now on gets the general message.
    pub fn clear(&self) {
        self.hook.lock().unwrap_or_else(|p| p.into_inner()).take();
    }

    /// Runs the registered hook, once the interrupted command is dropped; its message.
    pub fn run(&self) -> Option<String> {
        let hook = self.hook.lock().unwrap_or_else(|p| p.into_inner()).take();
        hook.map(|hook| hook())
    }
}
