// Given code for later chapters: the hooks that chapters 04 and 05 (and the
// demos) hang on the loop. Nothing here is an exercise of chapter 03; the loop
// inherits these members from LoopHooks, so they read as loop.extension<T>(),
// loop.lifetime(), loop.set_tracer().
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
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

protected:
    explicit LoopHooks(EventLoop& loop) : loop_(loop) {}
    ~LoopHooks() = default;
    LoopHooks(const LoopHooks&) = delete;
    LoopHooks& operator=(const LoopHooks&) = delete;

    bool tracing() const { return static_cast<bool>(tracer_); }
    void report_iteration(const IterationTrace& iteration) const { tracer_(iteration); }
    void expire_lifetime() { lifetime_.reset(); }

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
