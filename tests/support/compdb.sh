#!/usr/bin/env bash
# `make compdb`: a compile_commands.json for clangd / VS Code. Lessons and tests
# get your lessons' include path; solutions get the reference's.
# usage: compdb.sh CXX "FLAGS" "chapter|lesson-includes|solution-includes"...
cxx=$1 flags=$2; shift 2
dir=$(pwd) first=1
entry() {
  [ $first = 1 ] && first=0 || printf ',\n'
  printf '  {"directory": "%s", "file": "%s", "command": "%s %s %s -Itests/support -c %s"}' \
    "$dir" "$1" "$cxx" "$flags" "$2" "$1"
}
echo "["
for spec in "$@"; do
  IFS='|' read -r ch les sol <<<"$spec"
  for f in lessons/$ch/*.cpp tests/$ch/*.cpp; do [ -e "$f" ] && entry "$f" "$les"; done
  for f in solutions/$ch/*.cpp; do [ -e "$f" ] && entry "$f" "$sol"; done
done
printf '\n]\n'
