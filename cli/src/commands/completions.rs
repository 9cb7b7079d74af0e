//! `completions bash|zsh|fish`: a shell completion script from the same clap definition.
//!
//! Static scripts (clap_complete's generators), not clap_complete's dynamic completion: a
//! static script is what packagers install (`openrouter-keys completions bash >
//! /usr/share/bash-completion/completions/openrouter-keys`, generated once at build time),
//! it works without the binary on `PATH` at the moment of completing, and it needs none of
//! clap_complete's unstable features, whose interface may change in any release.

use crate::cli::{Cli, CompletionShell, CompletionsArgs};
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
    let shell = match args.shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
    };
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, BIN, &mut script);
    let text = String::from_utf8_lossy(&script);
    let script = match shell {
        Shell::Bash => bash_completes_positionals(&bash_states_agree(&text), &command),
        Shell::Fish => fish_completes_positionals(&text, &command),
        _ => text.into_owned(),
    };
    ctx.print.data(script)?;
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

/// What completes the word where a subcommand's first positional argument goes, when it
/// does not start with `-`: file names for a file (`bulk-create FILE`, `bulk-delete FILE`:
/// `ValueHint::FilePath`), its values for a value of a set (`completions SHELL`), nothing
/// for anything else (a hash). `None` for a subcommand without one.
enum Positional {
    File,
    Values(Vec<String>),
    Free,
}

fn first_positional(sub: &clap::Command) -> Option<Positional> {
    let arg = sub.get_positionals().next()?;
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    Some(if arg.get_value_hint() == clap::ValueHint::FilePath {
        Positional::File
    } else if !values.is_empty() {
        Positional::Values(values)
    } else {
        Positional::Free
    })
}

/// clap_complete's bash script offers the flags (and a value set) for the word where a
/// subcommand's positional argument goes, and never a file: `bulk-delete ⇥⇥` listed
/// `--yes`, `--dry-run`… but not `keys.csv`; `completions ⇥⇥` mixed flags and shells. In the
/// state of each subcommand whose positional is a file or a value of a set, a word that
/// does not start with `-` completes that (flags still complete after `-`, and a flag's
/// value as before).
fn bash_completes_positionals(script: &str, command: &clap::Command) -> String {
    let mut script = script.to_string();
    for sub in command.get_subcommands() {
        let completion = match first_positional(sub) {
            Some(Positional::File) => "COMPREPLY=( $(compgen -f -- \"${cur}\") )\n            \
                 if [[ \"${BASH_VERSINFO[0]}\" -ge 4 ]]; then compopt -o filenames; fi"
                .to_string(),
            Some(Positional::Values(values)) => format!(
                "COMPREPLY=( $(compgen -W \"{}\" -- \"${{cur}}\") )",
                values.join(" ")
            ),
            _ => continue,
        };
        let state = format!(
            "        {}__subcmd__{})\n",
            BIN.replace('-', "__"),
            sub.get_name().replace('-', "__subcmd__")
        );
        let Some(start) = script.find(&state) else {
            continue;
        };
        let Some(length) = script[start..].find("\n            ;;\n") else {
            continue;
        };
        let end = start + length;
        let block = script[start..end]
            .replace(
                "if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then",
                "if [[ ${cur} == -* ]] ; then",
            )
            .replace(
                "            esac\n            COMPREPLY=( $(compgen -W \"${opts}\" -- \"${cur}\") )",
                &format!("            esac\n            {completion}"),
            );
        script.replace_range(start..end, &block);
    }
    script
}

/// clap_complete's fish script says nothing of positional arguments, and fish then offers
/// file names for every word: `completions ⇥` listed files, not shells; `get ⇥` files, not
/// nothing. A line per subcommand with a positional says what completes it: its values,
/// or no file (`-f`); a file argument is left to fish's file completion.
fn fish_completes_positionals(script: &str, command: &clap::Command) -> String {
    let mut script = script.to_string();
    let condition = format!("__fish_{}_using_subcommand", BIN.replace('-', "_"));
    for sub in command.get_subcommands() {
        let what = match first_positional(sub) {
            Some(Positional::Values(values)) => format!(" -f -a \"{}\"", values.join(" ")),
            Some(Positional::Free) => " -f".to_string(),
            Some(Positional::File) | None => continue,
        };
        script.push_str(&format!(
            "complete -c {BIN} -n \"{condition} {}\"{what}\n",
            sub.get_name()
        ));
    }
    script
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
