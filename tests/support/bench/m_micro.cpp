// M micro: what one operation costs, the numbers chapter 14's text explains the
// loop's time with. Each is timed over many repetitions, best of three runs:
//   function_small   build, move and call a std::function of 16 bytes (in place)
//   function_large   the same with 32 bytes of captures: one allocation each
//   inline_large     the same 32 bytes in chapter 14's InlineFunction (fast binary)
//   shared_ptr_copy  copy and destroy a shared_ptr: two atomic operations
//   raw_pointer_copy copy a plain pointer (the floor of the two lines above)
//   epoll_ctl        EPOLL_CTL_ADD then EPOLL_CTL_DEL of a pipe: two syscalls
//   epoll_ctl_mod    one EPOLL_CTL_MOD of a registered pipe: one syscall
//   epoll_wait_0     epoll_wait with a zero timeout on one idle fd: one syscall
//   coroutine_frame  create, run to its end and destroy an empty coroutine
// The reference binary measures all but inline_large; the fast one only that.
#include <coroutine>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include <sys/epoll.h>
#include <unistd.h>

#include "bench.hpp"

#if __has_include("inline_function.hpp")
#include "inline_function.hpp"
#define LOOPLAB_HAS_INLINE_FUNCTION 1
#endif

namespace looplab::bench {

namespace {

constexpr int repetitions = 1'000'000;
constexpr int syscall_repetitions = 200'000;

// Nanoseconds per call of op(), best of three runs of `count` calls.
template <class Op>
double ns_per_op(int count, Op&& op) {
    double best = best_of(default_runs, [&] {
        return time_seconds([&] {
            for (int i = 0; i < count; ++i)
                op(i);
        });
    });
    return best * 1e9 / count;
}

void report(const char* name, double ns) {
    result("M", name, {num("ns_per_op", ns, 1)});
}

// A callable of `Words` pointers' size; the call reads one of them.
template <int Words>
struct Captures {
    std::uintptr_t words[Words];
    std::uintptr_t operator()() const { return words[Words - 1]; }
};

template <class Function, class Target>
double build_move_call(Target target) {
    return ns_per_op(repetitions, [&](int i) {
        target.words[0] = static_cast<std::uintptr_t>(i);
        Function built(target);
        Function moved(std::move(built));
        keep(moved());
    });
}

struct EmptyCoroutine {
    struct promise_type {
        EmptyCoroutine get_return_object() {
            return {std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        std::suspend_always final_suspend() noexcept { return {}; }
        void return_void() {}
        void unhandled_exception() { std::terminate(); }
    };
    std::coroutine_handle<promise_type> handle;
};

EmptyCoroutine empty_coroutine(int value) {
    keep(value);
    co_return;
}

void measure_syscalls() {
    int epfd = ::epoll_create1(EPOLL_CLOEXEC);
    int fds[2];
    if (epfd < 0 || ::pipe(fds) != 0) throw std::runtime_error("epoll_create1 or pipe failed");
    epoll_event event{};
    event.events = EPOLLIN;
    report("epoll_ctl", ns_per_op(syscall_repetitions, [&](int) {
               ::epoll_ctl(epfd, EPOLL_CTL_ADD, fds[0], &event);
               ::epoll_ctl(epfd, EPOLL_CTL_DEL, fds[0], nullptr);
           }));
    ::epoll_ctl(epfd, EPOLL_CTL_ADD, fds[0], &event);
    report("epoll_ctl_mod", ns_per_op(syscall_repetitions, [&](int i) {
               event.events = (i & 1) ? EPOLLIN : EPOLLIN | EPOLLOUT;
               ::epoll_ctl(epfd, EPOLL_CTL_MOD, fds[0], &event);
           }));
    epoll_event ready[4];
    report("epoll_wait_0",
           ns_per_op(syscall_repetitions, [&](int) { keep(::epoll_wait(epfd, ready, 4, 0)); }));
    ::close(fds[0]);
    ::close(fds[1]);
    ::close(epfd);
}

void measure_reference_costs() {
    report("function_small", build_move_call<std::function<std::uintptr_t()>>(Captures<2>{}));
    report("function_large", build_move_call<std::function<std::uintptr_t()>>(Captures<4>{}));
    auto shared = std::make_shared<int>(1);
    report("shared_ptr_copy", ns_per_op(repetitions, [&](int) {
               std::shared_ptr<int> copy = shared;
               keep(copy);
           }));
    int value = 1;
    int* plain = &value;
    report("raw_pointer_copy", ns_per_op(repetitions, [&](int) {
               int* copy = plain;
               keep(copy);
           }));
    measure_syscalls();
    report("coroutine_frame", ns_per_op(repetitions, [](int i) {
               EmptyCoroutine coroutine = empty_coroutine(i);
               coroutine.handle.resume();
               coroutine.handle.destroy();
           }));
}

} // namespace

void run_m_micro() {
    if (measures_baselines) measure_reference_costs();
#ifdef LOOPLAB_HAS_INLINE_FUNCTION
    report("inline_large", build_move_call<aio::InlineFunction<std::uintptr_t()>>(Captures<4>{}));
#endif
}

} // namespace looplab::bench
