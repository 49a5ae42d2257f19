#!/usr/bin/env bash
# Checks that every tracked C++ file is formatted as .clang-format says.
#   scripts/check-format.sh          check (exit 1 and name the files if not)
#   scripts/check-format.sh --fix    format them in place
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || {
  echo "check-format: clang-format is missing (scripts/install-deps.sh --test installs it)" >&2
  exit 1
}
mapfile -t files < <(git ls-files '*.cc' '*.h')
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if (( ${#bad[@]} > 0 )); then
  echo "check-format: ${#bad[@]} file(s) differ from .clang-format: ${bad[*]}" >&2
  echo "check-format: run scripts/check-format.sh --fix" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files formatted"
