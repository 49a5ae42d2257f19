#!/usr/bin/env bash
# Builds a man page from a program's own --help with help2man, so the page
# and --help can never disagree.
#   man/make-man.sh PROGRAM SECTION NAME-LINE INCLUDE OUT
# INCLUDE is a help2man include file (hand-written sections: environment,
# exit status, examples). For a program with subcommands (a "Subcommands:"
# block in --help), each subcommand's own --help is added as a section too.
set -euo pipefail
program=$1 section=$2 name=$3 include=$4 out=$5

extra=$(mktemp)
trap 'rm -f "$extra"' EXIT
cat "$include" >"$extra"

# roff-safe preformatted text: backslashes doubled, leading . and ' protected.
roff_literal() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"; }

subcommands=$("$program" --help | sed -n '/^Subcommands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
if [[ -n $subcommands ]]; then
  printf '[COMMANDS]\n' >>"$extra"
  for sub in $subcommands; do
    # Read whole before filtering: a reader that stops early (grep -m1) would
    # end a long --help with SIGPIPE, a failure under pipefail.
    help=$("$program" "$sub" --help)
    usage=$(grep -m1 '^Usage:' <<<"$help" | sed 's/^Usage: *//')
    printf '.SS "%s"\n.nf\n' "$usage" >>"$extra"
    grep -v '^Usage:' <<<"$help" | roff_literal >>"$extra"
    printf '.fi\n' >>"$extra"
  done
fi

help2man --no-info --no-discard-stderr --section "$section" --name "$name" \
  --include "$extra" --output "$out.tmp" "$program"
mv "$out.tmp" "$out"
