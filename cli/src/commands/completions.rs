//! `completions bash|zsh|fish`: a shell completion script from the same clap definition.
//!
//! Static scripts (clap_complete's generators), not clap_complete's dynamic completion: a
//! static script is what packagers install (`openrouter-keys completions bash >
//! /usr/share/bash-completion/completions/openrouter-keys`, generated once at build time),
//! it works without the binary on `PATH` at the moment of completing, and it needs none of
//! clap_complete's unstable features, whose interface may change in any release.

use crate::cli::{Cli, CompletionsArgs};
use crate::context::Context;
use crate::error::CliResult;
use crate::exit::Exit;
use clap::CommandFactory;
use clap_complete::Shell;

/// The name the scripts complete: the binary's.
const BIN: &str = "openrouter-keys";

pub async fn run(ctx: &Context, args: &CompletionsArgs) -> CliResult<Exit> {
    // Generated into memory and written by the printer, like every other output: clap's
    // `generate` panics when its writer fails (a closed pipe, `| head`).
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), BIN, &mut script);
    if args.shell == Shell::Bash {
        script = bash_states_agree(&String::from_utf8_lossy(&script)).into_bytes();
    }
    ctx.print.data(&script)?;
    Ok(Exit::Success)
}

/// clap_complete's bash script spells a subcommand's state two ways when the binary's name
/// has a hyphen (clap-rs/clap issues 6421 and 6529, open as of clap_complete 4.6.12): the
/// loop over the words already typed sets `openrouter__keys__subcmd__list`, while the `case`
/// that completes the subcommand's flags waits for `openrouter__subcmd__keys__subcmd__list`
/// (the hyphen of the binary's name taken for a subcommand separator), so nothing after a
/// subcommand completes. The labels are spelled here as the loop spells them; once
/// clap_complete agrees with itself there is nothing left to replace. The tests that complete
/// in a real bash (`tests/cli/completions.rs`) pin the result, whichever side changes.
fn bash_states_agree(script: &str) -> String {
    const SEPARATOR: &str = "__subcmd__";
    let as_walked = format!("{}{SEPARATOR}", BIN.replace('-', "__"));
    let as_labelled = format!("{}{SEPARATOR}", BIN.replace('-', SEPARATOR));
    script.replace(&as_labelled, &as_walked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bash_case_labels_take_the_spelling_of_the_word_loop() {
        let generated = "cmd=\"openrouter__keys__subcmd__bulk__subcmd__create\"\n\
                         openrouter__subcmd__keys__subcmd__bulk__subcmd__create)\n\
                         openrouter__keys)\n";
        assert_eq!(
            bash_states_agree(generated),
            "cmd=\"openrouter__keys__subcmd__bulk__subcmd__create\"\n\
             openrouter__keys__subcmd__bulk__subcmd__create)\n\
             openrouter__keys)\n"
        );
    }
}
