# Drives zsh's completion system for real: an interactive zsh under zpty
# (compinit, the completion function from DIR in fpath) gets each LINE typed
# followed by a key bound to complete-word; a wrapper around compadd records
# the candidates. Prints "LINE<TAB>CANDIDATES" per line.
#   zsh -f zsh_complete.zsh DIR LINE...
zmodload zsh/zpty
dir=$1
shift
out=$(mktemp)
zpty cz zsh -f -i
zpty -w cz "PROMPT='> '; fpath=($dir \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w cz "__cn_out=$out"
zpty -w cz '__cn_complete() {
  compadd() {
    if (( ${@[(I)-[ODA]*]} )); then builtin compadd "$@"; return; fi
    local -a __m
    builtin compadd -O __m "$@"
    (( $#__m )) && print -rl -- $__m >>| $__cn_out
    builtin compadd "$@"
  }
  _main_complete
  unfunction compadd
  print -r -- __CN_DONE__ >>| $__cn_out
  compstate[insert]=""
  compstate[list]=""
}'
zpty -w cz 'zle -C __cn_widget complete-word __cn_complete; bindkey "^T" __cn_widget'
for line in "$@"; do
  : >| $out
  zpty -w -n cz "$line"$'\x14'
  for i in {1..400}; do
    grep -q __CN_DONE__ $out 2>/dev/null && break
    sleep 0.025
  done
  grep -q __CN_DONE__ $out || { print -r -- "$line	TIMEOUT"; continue; }
  print -r -- "$line	${(j: :)${(f)"$(grep -v __CN_DONE__ $out)"}}"
  zpty -w -n cz $'\x15'  # ^U: clear the line for the next one
done
zpty -d cz
rm -f $out
