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
# GCC 12 destroys a capturing lambda twice when it is a temporary inside a
# co_await expression (chapter 09 names the callable first for this reason).
cat > "$tmp/lambda.cpp" <<'CPP'
#include <coroutine>
#include <utility>
static int alive = 0;
struct Counted { Counted() { ++alive; } Counted(const Counted&) { ++alive; }
  Counted(Counted&&) noexcept { ++alive; } ~Counted() { --alive; } };
struct Task { struct promise_type { Task get_return_object() { return {}; }
  std::suspend_never initial_suspend() noexcept { return {}; }
  std::suspend_never final_suspend() noexcept { return {}; }
  void return_void() {} void unhandled_exception() {} }; };
template <class F> struct Await { F fn; bool await_ready() { return true; }
  void await_suspend(std::coroutine_handle<>) {} int await_resume() { return fn(); } };
template <class F> Await<F> run(F fn) { return Await<F>{std::move(fn)}; }
Task body() { Counted c; int r = co_await run([c] { return 1; }); (void)r; }
int main() { body(); return alive != 0; }
CPP
if "$cxx" -std=c++20 "$tmp/lambda.cpp" -o "$tmp/lambda" 2>/dev/null; then
  if "$tmp/lambda"; then say "co_await temporaries" "ok (a lambda temporary in co_await is destroyed once)"
  else say "co_await temporaries" "AFFECTED (GCC 12 bug): name a capturing lambda before co_await, as chapter 09 shows"; fi
fi
printf '#include <sys/epoll.h>\nint main(){return epoll_create1(0) < 0;}\n' > "$tmp/ep.cpp"
if "$cxx" "$tmp/ep.cpp" -o "$tmp/ep" 2>/dev/null && "$tmp/ep"; then say "epoll" "yes (Linux): select, poll and epoll"
else say "epoll" "no: the kit uses select and poll (fine on macOS)"; fi
command -v make >/dev/null && say "make" "$(make --version | head -1)" || fail "make" "install GNU make"
command -v clang-format >/dev/null && say "clang-format (optional)" "ok" || say "clang-format (optional)" "not found: only needed for make format"
[ $ok = 1 ] && echo "all set: try 'make demo' and 'make check CH=00'" || { echo "fix the MISSING lines above"; exit 1; }
