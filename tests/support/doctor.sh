#!/usr/bin/env bash
# `make doctor`: checks what looplab needs and says what to install.
cxx=${1:-g++}
ok=1
say() { printf '  %-28s %s\n' "$1" "$2"; }
fail() { say "$1" "MISSING — $2"; ok=0; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

echo "looplab doctor"
if ! command -v "$cxx" >/dev/null; then
  fail "compiler ($cxx)" "install g++ (>= 12) or clang (>= 14): apt-get install g++ / brew install llvm"
else
  say "compiler" "$("$cxx" --version | head -1)"
  major=$("$cxx" -dumpversion | cut -d. -f1)
  case "$("$cxx" --version)" in
    *clang*) [ "$major" -ge 14 ] || fail "clang version" "clang++ >= 14 needed (found $major)";;
    *) [ "$major" -ge 12 ] || fail "g++ version" "g++ >= 12 needed (found $major)";;
  esac
fi
cat > "$tmp/co.cpp" <<'CPP'
#include <coroutine>
struct T { struct promise_type { T get_return_object() { return {}; }
  std::suspend_never initial_suspend() noexcept { return {}; }
  std::suspend_never final_suspend() noexcept { return {}; }
  void return_void() {} void unhandled_exception() {} }; };
T f() { co_return; }
int main() { f(); }
CPP
if "$cxx" -std=c++20 "$tmp/co.cpp" -o "$tmp/co" 2>"$tmp/err"; then say "C++20 coroutines" "ok"
else fail "C++20 coroutines" "$cxx cannot compile a coroutine: $(head -1 "$tmp/err")"; fi
cat > "$tmp/gt.cpp" <<'CPP'
#include <gtest/gtest.h>
TEST(Doctor, Works) { EXPECT_EQ(1, 1); }
int main(int c, char** v) { testing::InitGoogleTest(&c, v); return RUN_ALL_TESTS(); }
CPP
if "$cxx" -std=c++20 "$tmp/gt.cpp" -lgtest -pthread -o "$tmp/gt" 2>"$tmp/err" && "$tmp/gt" >/dev/null; then
  say "GoogleTest" "ok"
else
  fail "GoogleTest" "apt-get install libgtest-dev (Debian/Ubuntu) or brew install googletest (macOS)"
fi
printf '#include <sys/epoll.h>\nint main(){return epoll_create1(0) < 0;}\n' > "$tmp/ep.cpp"
if "$cxx" "$tmp/ep.cpp" -o "$tmp/ep" 2>/dev/null && "$tmp/ep"; then say "epoll" "yes (Linux): select, poll and epoll"
else say "epoll" "no: the kit uses select and poll (fine on macOS)"; fi
command -v make >/dev/null && say "make" "$(make --version | head -1)" || fail "make" "install GNU make"
command -v clang-format >/dev/null && say "clang-format (optional)" "ok" || say "clang-format (optional)" "not found: only needed for make format"
[ $ok = 1 ] && echo "all set: try 'make demo' and 'make check CH=00'" || { echo "fix the MISSING lines above"; exit 1; }
