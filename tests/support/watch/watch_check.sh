#!/bin/sh
# make test's check of `make watch`'s engine: build/tools/watch on a scratch
# folder with a command that only counts its runs. Usage: watch_check.sh WATCH [--poll]
# Prints what went wrong and exits 1, or exits 0.
watch=$1; mode=${2:-}
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
mkdir "$dir/src"; touch "$dir/src/a.cpp"
"$watch" --dir "$dir/src" --command "echo run >> '$dir/runs'" --debounce-ms 200 --no-clear $mode >"$dir/log" 2>&1 &
pid=$!
runs() { [ -f "$dir/runs" ] && wc -l < "$dir/runs" | tr -d ' ' || echo 0; }
# Waits up to 6 s for the count of runs to reach $1.
wait_runs() { i=0; while [ "$(runs)" -lt "$1" ] && [ $i -lt 60 ]; do sleep 0.1; i=$((i + 1)); done; }
fail() { echo "  make watch (${mode:-inotify}): $1"; sed 's/^/    | /' "$dir/log"; kill -9 $pid 2>/dev/null; exit 1; }

wait_runs 1; [ "$(runs)" = 1 ] || fail "it grades once at the start (runs: $(runs))"
sleep 1.1 # the poller compares modification times at one-second granularity at worst
echo "// edit" >> "$dir/src/a.cpp"; echo "// new" > "$dir/src/b.hpp"
wait_runs 2; [ "$(runs)" = 2 ] || fail "two saves within the debounce make one grading (runs: $(runs))"
sleep 2.5; [ "$(runs)" = 2 ] || fail "nothing saved, nothing graded (runs: $(runs))"
echo x > "$dir/src/.a.cpp.swp"; echo x > "$dir/src/notes.txt"
sleep 2.5; [ "$(runs)" = 2 ] || fail "an editor's swap file or a non-source file is not a save (runs: $(runs))"
kill -INT $pid
i=0; while kill -0 $pid 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 $pid 2>/dev/null && fail "Ctrl-C (SIGINT) stops it"
wait $pid; status=$?
[ $status = 0 ] || fail "Ctrl-C is a clean exit (status $status)"
grep -q "stopped" "$dir/log" || fail "it says it stopped"
exit 0
