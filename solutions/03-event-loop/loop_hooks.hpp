// Given code for later chapters: the hooks that chapters 04, 05 and 13 (and
// the demos) hang on the loop. Nothing here is an exercise of chapter 03; the
// loop inherits these members from LoopHooks, so they read as
// loop.extension<T>(), loop.lifetime(), loop.set_tracer().
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <typeindex>
#include <utility>
#include <vector>

#include "aio_base.hpp"
#include "selector.hpp"

namespace aio {

class EventLoop;

// What one iteration did, as the optional tracer sees it (the demos print it).
// run_iteration (chapter 03) fills it from its phases' results.
struct IterationTrace {
    std::size_t ready = 0;           // callbacks queued when the pass began, before I/O and timers
    std::optional<Duration> timeout; // what select() was given; nullopt: block
    std::vector<ReadyEvent> events;  // what select() returned (the wake-up fd left out)
    std::size_t posted = 0;          // callbacks taken from the thread-safe queue
    std::size_t timers_due = 0;      // timers that moved to the ready queue
    std::size_t ran = 0;             // callbacks run (cancelled call_soon ones skipped)
};

// Told around every callback the loop runs (chapter 13's debug mode and
// tracer). Both calls come from the loop's thread; the callback may throw,
// and callback_ended still comes.
class CallbackObserver {
public:
    virtual void callback_started() = 0;
    virtual void callback_ended() = 0;
    // What debug mode's slow-callback report calls the callback that runs
    // (asyncio: the Handle's repr), such as "<Task step 'w-1' ...>".
    virtual std::string running_handle() const = 0;

protected:
    ~CallbackObserver() = default;
};

class LoopHooks {
public:
    // Per-loop state of a later chapter (05: the live tasks and the current
    // task; 09: the default executor), as asyncio keeps such state in loop
    // attributes. Created on first use as T(EventLoop&), owned by the loop, and
    // destroyed in reverse order of creation FIRST in ~EventLoop and in close(),
    // before the queued callbacks and timers are dropped. Loop thread only.
    template <class T>
    T& extension();

    // Expires when the loop is destroyed (first thing in ~EventLoop): a future
    // that outlives its loop checks it before reporting to the exception handler.
    std::weak_ptr<const void> lifetime() const { return lifetime_; }

    // Called at the end of every iteration with what it did; nullptr: none.
    void set_tracer(std::function<void(const IterationTrace&)> tracer) {
        tracer_ = std::move(tracer);
    }

    // One observer of every callback; nullptr: none (the loop then pays one
    // branch per callback). The observer must outlive its installation.
    void set_callback_observer(CallbackObserver* observer) { observer_ = observer; }
    CallbackObserver* callback_observer() const { return observer_; }

protected:
    explicit LoopHooks(EventLoop& loop) : loop_(loop) {}
    ~LoopHooks() = default;
    LoopHooks(const LoopHooks&) = delete;
    LoopHooks& operator=(const LoopHooks&) = delete;

    bool tracing() const { return static_cast<bool>(tracer_); }
    void report_iteration(const IterationTrace& iteration) const { tracer_(iteration); }
    void expire_lifetime() { lifetime_.reset(); }
    // The running callback as the slow-callback report names it: "<Handle>"
    // (a C++ callable has no repr) unless an observer knows better.
    std::string handle_repr() const {
        return observer_ != nullptr ? observer_->running_handle() : "<Handle>";
    }

    // Tells the observer, if any, that a callback starts now and, when the
    // scope ends, that it ended (asyncio has no such hook; its debug mode
    // reads the Handle it runs).
    class ObservedCallback {
    public:
        explicit ObservedCallback(CallbackObserver* observer) : observer_(observer) {
            if (observer_ != nullptr) observer_->callback_started();
        }
        ~ObservedCallback() {
            if (observer_ != nullptr) observer_->callback_ended();
        }
        ObservedCallback(const ObservedCallback&) = delete;
        ObservedCallback& operator=(const ObservedCallback&) = delete;

    private:
        CallbackObserver* observer_;
    };

    // Reverse order of creation: a later extension may use an earlier one.
    void destroy_extensions() {
        while (!extensions_.empty()) {
            Extension last = std::move(extensions_.back());
            extensions_.pop_back(); // popped before it dies: its destructor may call extension()
        }
    }

private:
    struct Extension {
        std::type_index type;
        std::unique_ptr<void, void (*)(void*)> object;
    };

    EventLoop& loop_;
    std::shared_ptr<const void> lifetime_ = std::make_shared<char>();
    std::function<void(const IterationTrace&)> tracer_;
    CallbackObserver* observer_ = nullptr;
    std::vector<Extension> extensions_;
};

template <class T>
T& LoopHooks::extension() {
    for (auto& extension : extensions_)
        if (extension.type == std::type_index(typeid(T)))
            return *static_cast<T*>(extension.object.get());
    auto object = std::make_unique<T>(loop_); // may create other extensions: no iterator is held
    T& created = *object;
    void (*destroy)(void*) = [](void* p) { delete static_cast<T*>(p); };
    extensions_.push_back(Extension{std::type_index(typeid(T)), {object.release(), destroy}});
    return created;
}

} // namespace aio
