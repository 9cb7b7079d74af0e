# zsh -f complete.zsh SCRIPT LINE
# Prints, one per line, the matches zsh's completion system offers when Tab is pressed after
# LINE with SCRIPT loaded. Completion widgets run only inside the line editor, so an
# interactive zsh is driven on a pseudo-terminal (zsh/zpty): it loads compinit and SCRIPT,
# wraps `compadd` to print each match it adds, receives LINE and a Tab, and exits once the
# completion has run. The matches are printed between two marker lines, read back here.
zmodload zsh/zpty || exit 3
local script=$1 line=$2
local setup=${TMPDIR:-/tmp}/complete-setup.$$.zsh
cat > $setup <<SETUP
PROMPT= RPROMPT= PS2=
autoload -Uz compinit && compinit -u -D
source ${(q)script}
bindkey '^I' complete-word
zstyle ':completion:*' insert-tab false
__matches_begin() { print -r -- '<<matches' }
__matches_end() { print -r -- 'matches>>'; exit }
compprefuncs=(__matches_begin)
comppostfuncs=(__matches_end)
compadd() {
  # A call that only asks (-O, -A, -D: into an array, not as matches) passes through.
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "\$@"; return; fi
  local -a __found
  builtin compadd -A __found "\$@"
  (( \$#__found )) && print -rl -- \$__found
  builtin compadd "\$@"
}
print -r -- ready
SETUP
zpty completing zsh -f -i
zpty -w completing "source ${(q)setup}"
local out
while zpty -r completing out; do [[ $out == ready* ]] && break; done
zpty -w -n completing "$line"$'\t'
local inside=0
while zpty -r completing out; do
  out=${out%$'\n'}; out=${out%$'\r'}
  if [[ $out == *'<<matches'* ]]; then inside=1; continue; fi
  [[ $out == *'matches>>'* ]] && break
  (( inside )) && print -r -- $out
done
zpty -d completing
rm -f $setup
