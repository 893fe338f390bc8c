// Coro<T>: what a coroutine function returns, run inline by `co_await` inside
// one task, with the task's trampoline driving the chain of frames
// (asyncio: a coroutine object awaited with `await coro`).
#pragma once

#include <cassert>
#include <coroutine>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "aio_base.hpp"

namespace aio {

// Where a co_await is written: file, line and the function around it
// (chapter 13's task tree shows it). The compilers' builtins, because
// std::source_location is missing from clang 14 with libstdc++ 12.
struct SourceLocation {
    const char* file = "";
    int line = 0;
    const char* function = "";
    static constexpr SourceLocation current(const char* file = __builtin_FILE(),
                                            int line = __builtin_LINE(),
                                            const char* function = __builtin_FUNCTION()) noexcept {
        return SourceLocation{file, line, function};
    }
};

namespace detail {

class FutureStateBase; // future.hpp (chapter 04)
class PromiseBase;

// Chapter 13's debug mode: told of a coroutine created while it watched and
// destroyed without ever having run (asyncio: "coroutine ... was never
// awaited", with the origin that sys.set_coroutine_origin_tracking_depth
// keeps, per thread, while a loop is in debug mode).
class CoroutineOriginTracker {
public:
    virtual void never_awaited(SourceLocation created) noexcept = 0;

protected:
    ~CoroutineOriginTracker() = default;
};

// The tracker of this thread; null (the default): a new coroutine stores no
// origin, at the cost of one branch.
inline thread_local CoroutineOriginTracker* coroutine_origin_tracker = nullptr;

// Why the top frame handed control back to the driver (FrameStack::run): the
// note each of the kit's awaiters leaves. CALL and RETURN stay inside the
// trampoline; FUTURE and YIELD end a task's step and move the task to WAITING
// or SCHEDULED (task.hpp); NONE means a foreign awaiter suspended the frame.
enum class Suspension {
    NONE,   // came back through a foreign awaitable: the task fails ("bad yield")
    CALL,   // co_await coro: a child frame was pushed, run it next
    RETURN, // a frame finished: run its parent next (or the root is done)
    FUTURE, // co_await future: the task waits for the loop
    YIELD,  // sleep(0s): back of the ready queue (asyncio: a bare yield)
};

// The frames of one task, as a stack: the root coroutine at the bottom, the
// frame that runs now on top. Each frame remembers its parent (PromiseBase),
// so the stack itself only needs its top. Owned by the task; frames are owned
// by the Coro objects that created them (a parent's co_await holds its child).
class FrameStack {
public:
    // The trampoline: resume the top frame, again and again, while frames are
    // pushed (call) and popped (ret); return as soon as one waits for the
    // loop, or when the root has finished. Every resume starts from here, so
    // the machine stack stays flat however deep the frames nest (Asio:
    // awaitable_thread::pump).
    void run();

    void start(std::coroutine_handle<> root) { top_ = root; }
    bool finished() const { return !top_; }
    Suspension suspension() const { return suspension_; }

    // Called from await_suspend of the kit's awaiters (the frame is suspended).
    void push(std::coroutine_handle<> child) {
        top_ = child;
        suspension_ = Suspension::CALL;
    }
    void pop(std::coroutine_handle<> parent) { // parent is null for the root
        top_ = parent;
        suspension_ = Suspension::RETURN;
    }
    void wait_for(std::shared_ptr<FutureStateBase> future) {
        awaited_ = std::move(future);
        suspension_ = Suspension::FUTURE;
    }
    void yield_to_loop() { suspension_ = Suspension::YIELD; }
    std::shared_ptr<FutureStateBase> take_awaited() { return std::move(awaited_); }

    // asyncio: coro.throw(exc). C++ cannot throw into a suspended frame, so the
    // exception waits here and the awaiter's await_resume throws it: the frame
    // sees it at its co_await, exactly where Python would.
    void throw_in(std::exception_ptr error) { thrown_in_ = std::move(error); }
    bool has_thrown_in() const { return thrown_in_ != nullptr; }
    std::exception_ptr take_thrown_in() { return std::exchange(thrown_in_, nullptr); }
    void rethrow_thrown_in() {
        if (thrown_in_) std::rethrow_exception(take_thrown_in());
    }

    // The frame that made the latest co_await (PromiseBase::await_transform
    // notes it): the innermost frame while the task is suspended. Chapter
    // 13's task tree starts there; stale while the task runs.
    void note_awaiting(PromiseBase* frame) noexcept { innermost_ = frame; }
    PromiseBase* innermost() const noexcept { return innermost_; }

private:
    PromiseBase* innermost_ = nullptr;
    std::coroutine_handle<> top_;
    Suspension suspension_ = Suspension::NONE;
    std::shared_ptr<FutureStateBase> awaited_; // valid while suspension_ == FUTURE
    std::exception_ptr thrown_in_;
};

// What every Coro promise shares, whatever its T: its place in the task's
// frame stack and the exception that ended it. The fields are private: what
// crosses the line is named below (cppcoro: task_promise_base).
class PromiseBase {
public:
    // Lazy: the body does not run until the frame is pushed (by co_await) or
    // started by a task. Nothing runs inside create_task or a call like f(x).
    std::suspend_always initial_suspend() noexcept { return {}; }

    // At the end the frame stays suspended (so its owner can read the result
    // and destroy it) and control goes back to the driver, which resumes the
    // parent. noexcept: an exception here would have nowhere to go.
    struct FinalAwaiter {
        bool await_ready() const noexcept { return false; }
        template <class P>
        void await_suspend(std::coroutine_handle<P> self) const noexcept {
            //@scratch ch05.final_suspend
            //@stub aio::detail::not_implemented_abort("ch05.final_suspend");
            //@exercise ch05.final_suspend  Pop this frame: its parent runs next.
            //@stub aio::detail::not_implemented_abort("ch05.final_suspend");
            PromiseBase& finished = self.promise();
            finished.frames().pop(finished.parent());
            //@end
            //@end
        }
        void await_resume() const noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }

    // Stored, not thrown: the parent's co_await rethrows it (await_resume).
    void unhandled_exception() noexcept { exception_ = std::current_exception(); }

    // Joins a task's frame stack: `parent` is the frame that co_awaited this
    // one, null for a task's root (asyncio: the task's coro, or `await coro`).
    void attach(FrameStack& frames, std::coroutine_handle<> parent) noexcept {
        frames_ = &frames;
        parent_ = parent;
        caller_ = parent ? frames.innermost() : nullptr; // the parent is awaiting this frame
    }
    FrameStack& frames() const noexcept {
        assert(frames_ != nullptr && "a frame runs only after attach() put it on a frame stack");
        return *frames_;
    }
    std::coroutine_handle<> parent() const noexcept { return parent_; }
    // What ended the body: null if it returned (the task reads it at the end).
    std::exception_ptr exception() const noexcept { return exception_; }

    // Every co_await of a Coro body passes here first (C++: the promise's
    // await_transform), the awaitable unchanged: the frame notes where it
    // waits and that it is now the innermost of its stack. For chapter 13's
    // task tree, which walks from the innermost frame up its callers.
    template <class A>
    A&& await_transform(A&& awaitable, SourceLocation where = SourceLocation::current()) noexcept {
        suspended_at_ = where;
        if (frames_ != nullptr) frames_->note_awaiting(this);
        return std::forward<A>(awaitable);
    }
    SourceLocation suspended_at() const noexcept { return suspended_at_; }
    const PromiseBase* caller() const noexcept { return caller_; } // null for a task's root

    // Where the coroutine was created, kept only while a CoroutineOriginTracker
    // watches (line 0 otherwise): its function's name and file.
    SourceLocation origin() const noexcept { return origin_; }
    // The Coro that owns this frame destroys it: tell the tracker if the frame
    // was watched and never joined a frame stack (never awaited, never a task).
    void report_if_never_run() const noexcept {
        if (origin_.line != 0 && frames_ == nullptr && coroutine_origin_tracker != nullptr)
            coroutine_origin_tracker->never_awaited(origin_);
    }

protected:
    void note_origin(SourceLocation where) noexcept {
        if (coroutine_origin_tracker != nullptr) origin_ = where;
    }

    void rethrow_if_failed() {
        if (exception_) std::rethrow_exception(exception_);
    }

private:
    FrameStack* frames_ = nullptr;   // the task's stack; set by attach()
    std::coroutine_handle<> parent_; // who co_awaited this frame; null for a task's root
    std::exception_ptr exception_;
    PromiseBase* caller_ = nullptr; // the parent's promise (chapter 13's task tree)
    SourceLocation suspended_at_;   // the latest co_await of this frame
    SourceLocation origin_;         // chapter 13's debug mode only
};

// The result slot: a value for Coro<T>, nothing for Coro<void>.
template <class T>
class Promise : public PromiseBase {
public:
    template <class U = T>
    void return_value(U&& value) {
        value_.emplace(std::forward<U>(value));
    }
    T take_result() {
        //@scratch ch05.take_result
        //@exercise ch05.take_result  The stored exception, rethrown, or the value, moved out.
        rethrow_if_failed();
        return std::move(*value_);
        //@end
        //@end
    }

private:
    std::optional<T> value_;
};

template <>
class Promise<void> : public PromiseBase {
public:
    void return_void() noexcept {}
    void take_result() { rethrow_if_failed(); }
};

template <class T>
class CoroAwaiter;

template <class T>
class TaskState; // task.hpp: takes ownership of a Coro's frame

template <class T>
class InlineDriver; // tests/05-coroutines/inline_driver.hpp: a Coro run without a task

} // namespace detail

template <class T>
class Coro;

// What a coroutine function returns: `Coro<int> answer() { co_return 42; }`.
// Lazy (calling answer() only creates the frame) and move-only (one owner per
// frame: the Coro destroys it). `co_await answer()` runs it inline in the
// awaiting task: no new task, no loop round trip, and a CancelledError or any
// other exception thrown inside comes out of the co_await. create_task(answer())
// runs it as a task of its own instead. T may be void; references are not
// supported (return a pointer or std::reference_wrapper).
template <class T = void>
class [[nodiscard]] Coro {
public:
    struct promise_type : detail::Promise<T> {
        // The default argument is filled in inside the coroutine function
        // itself: its name and file (chapter 13's never-awaited report).
        promise_type(SourceLocation where = SourceLocation::current()) noexcept {
            this->note_origin(where);
        }
        Coro get_return_object() {
            // The frame is born here; the Coro returned to the caller owns it.
            return Coro(std::coroutine_handle<promise_type>::from_promise(*this));
        }
    };

    Coro() = default; // empty: awaiting it is a RuntimeError
    Coro(Coro&& other) noexcept : frame_(std::exchange(other.frame_, nullptr)) {}
    Coro& operator=(Coro&& other) noexcept {
        if (this != &other) {
            reset();
            frame_ = std::exchange(other.frame_, nullptr);
        }
        return *this;
    }
    Coro(const Coro&) = delete;
    Coro& operator=(const Coro&) = delete;
    ~Coro() { reset(); }

    explicit operator bool() const noexcept { return static_cast<bool>(frame_); }

    // co_await on an rvalue (co_await f()) or an lvalue (auto c = f(); co_await c;):
    // either way the Coro object outlives the co_await and keeps the frame.
    detail::CoroAwaiter<T> operator co_await() const noexcept;

private:
    template <class U>
    friend class detail::TaskState;
    template <class U>
    friend class detail::InlineDriver;

    explicit Coro(std::coroutine_handle<promise_type> frame) : frame_(frame) {}
    void reset() noexcept {
        if (!frame_) return;
        frame_.promise().report_if_never_run();
        std::exchange(frame_, nullptr).destroy();
    }

    std::coroutine_handle<promise_type> frame_;
};

namespace detail {

// co_await coro: push the child on the task's frame stack and hand control to
// the driver, which resumes the child; when the child finishes, its
// final_suspend pops back here and await_resume collects the result.
// Symmetric transfer (returning the child's handle from await_suspend) would
// do the same without a driver, but only as a tail call, which GCC emits at
// -O2 and not at -O0: a million awaits would overflow the stack of a learner's
// debug build. The trampoline costs one return per hop and never grows.
template <class T>
class CoroAwaiter {
public:
    using Frame = std::coroutine_handle<typename Coro<T>::promise_type>;
    explicit CoroAwaiter(Frame child) : child_(child) {}

    bool await_ready() const {
        //@scratch ch05.coro_ready
        //@exercise ch05.coro_ready  Refuse an empty or finished Coro; else not ready.
        if (!child_) throw RuntimeError("co_await on an empty Coro (moved from?)");
        if (child_.done()) throw RuntimeError("cannot reuse already awaited coroutine");
        return false; // a fresh Coro always runs: through the driver, never inline
        //@end
        //@end
    }
    template <class P>
    void await_suspend(std::coroutine_handle<P> parent) {
        //@scratch ch05.coro_await
        //@exercise ch05.coro_await  Attach the child under its parent; push it.
        FrameStack& frames = parent.promise().frames();
        child_.promise().attach(frames, parent);
        frames.push(child_);
        //@end
        //@end
    }
    T await_resume() { return child_.promise().take_result(); }

private:
    Frame child_;
};

} // namespace detail

template <class T>
detail::CoroAwaiter<T> Coro<T>::operator co_await() const noexcept {
    return detail::CoroAwaiter<T>(frame_);
}

} // namespace aio
