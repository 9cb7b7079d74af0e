# bash --norc --noprofile complete.bash SCRIPT LINE
# Prints, one per line, what bash completes for LINE (the cursor at its end) with SCRIPT
# loaded: the function `complete -p` names for the command is called as bash's programmable
# completion calls it (COMP_WORDS, COMP_CWORD, COMP_LINE, COMP_POINT; the command, the word
# being completed and the word before it as arguments), and COMPREPLY is printed.
set -u
source "$1" || exit 3
line=$2
read -ra COMP_WORDS <<< "$line"
# A line ending in a blank completes a new, empty word.
if [[ $line == *" " ]]; then COMP_WORDS+=(""); fi
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE=$line
COMP_POINT=${#line}
spec=$(complete -p "${COMP_WORDS[0]}") || exit 4
function=${spec##*-F }
function=${function%% *}
COMPREPLY=()
"$function" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
if (( ${#COMPREPLY[@]} )); then printf '%s\n' "${COMPREPLY[@]}"; fi
