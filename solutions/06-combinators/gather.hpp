// gather and gather_outcomes: one future for the results of many
// (asyncio.gather, with return_exceptions=False and True).
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "task.hpp"

namespace aio {

// What a future of T holds: T itself, std::monostate for void.
template <class T>
using Value = detail::FutureValue<T>;

// One child's ending, as gather_outcomes reports it (asyncio: an item of
// gather(..., return_exceptions=True), where a result and an exception share
// one list; C++ keeps them apart). A cancelled child is an error holding a
// CancelledError with the child's cancel message.
template <class T>
class Outcome {
public:
    static Outcome success(Value<T> value) { return Outcome(std::move(value), nullptr); }
    static Outcome failure(std::exception_ptr error) { return Outcome(std::nullopt, error); }

    bool ok() const { return error_ == nullptr; }
    // The value; rethrows error() unless ok().
    const Value<T>& value() const {
        if (error_) std::rethrow_exception(error_);
        return *value_;
    }
    std::exception_ptr error() const { return error_; }

private:
    Outcome(std::optional<Value<T>> value, std::exception_ptr error)
        : value_(std::move(value)), error_(std::move(error)) {}
    std::optional<Value<T>> value_;
    std::exception_ptr error_;
};

namespace detail {

using StatePtr = std::shared_ptr<FutureStateBase>;

// The loop every child belongs to; ValueError if they do not share one, and
// the running loop (RuntimeError outside one) when there is no child.
EventLoop& loop_of_children(const std::vector<StatePtr>& children);

// The heart of gather, whatever the children's types: it counts the children
// as they finish and decides the outer future's fate (asyncio: gather's
// _done_callback and _GatheringFuture.cancel). The typed part (GatheringState)
// only builds the result list.
//
// Invariant: finished_ <= unique_.size(); the outer is done once finished_
// reaches it, or earlier with the first error (keep_errors_ false).
class GatherBase {
public:
    virtual ~GatherBase() = default;
    GatherBase(const GatherBase&) = delete;
    GatherBase& operator=(const GatherBase&) = delete;

protected:
    // children in argument order; a repeated child is watched once.
    GatherBase(std::vector<StatePtr> children, bool keep_errors);

    // Subscribes to the pending children and counts those already done.
    void watch_children();
    // asyncio: _GatheringFuture.cancel, which cancels the children instead.
    bool cancel_children(const std::string& message);

    virtual FutureStateBase& outer() = 0; // the gathering future itself
    virtual void set_outer_results() = 0; // every child is done: the result list

private:
    void on_child_done(FutureStateBase& child); // asyncio: gather's _done_callback
    std::weak_ptr<GatherBase> weak_self();

    std::vector<StatePtr> unique_; // each child once, in first-seen order
    std::size_t finished_ = 0;     // children of unique_ seen done
    bool keep_errors_;             // gather_outcomes (return_exceptions=True)
    bool cancel_requested_ = false;
    std::string cancel_message_;
};

// The outer future of a gather: a FutureState<R> whose cancel() cancels the
// children (virtual in the state, so Future<R>::cancel lands here).
template <class R>
class GatheringState final : public FutureState<R>, public GatherBase {
public:
    using Collect = std::function<R()>;
    GatheringState(EventLoop& loop, std::vector<StatePtr> children, bool keep_errors,
                   Collect collect)
        : FutureState<R>(loop), GatherBase(std::move(children), keep_errors),
          collect_(std::move(collect)) {
        this->describe_wait("gather"); // what chapter 13's task tree says a waiter awaits
    }

    using GatherBase::watch_children;
    bool cancel(std::string message) override { return cancel_children(message); }

private:
    FutureStateBase& outer() override { return *this; }
    void set_outer_results() override { this->set_result(collect_()); }

    Collect collect_; // reads the children's results, in argument order
};

template <class R>
Future<R> start_gather(std::vector<StatePtr> children, bool keep_errors,
                       std::function<R()> collect) {
    EventLoop& loop = loop_of_children(children);
    auto state = std::make_shared<GatheringState<R>>(loop, std::move(children), keep_errors,
                                                     std::move(collect));
    state->watch_children();
    return Future<R>(state);
}

template <class T>
Value<T> value_of(const Future<T>& future) {
    if constexpr (std::is_void_v<T>) {
        future.result();
        return {};
    } else {
        return future.result();
    }
}

template <class T>
std::vector<StatePtr> states_of(const std::vector<Future<T>>& futures) {
    std::vector<StatePtr> states;
    for (const Future<T>& future : futures)
        states.push_back(future.state());
    return states;
}

} // namespace detail

// asyncio.gather(*children): the results in argument order. The first
// exception (a cancelled child counts as a CancelledError) finishes the outer
// future; the other children keep running. Cancelling the outer cancels every
// child. No children: a future already done, on the running loop.
template <class T>
Future<std::vector<Value<T>>> gather(std::vector<Future<T>> children) {
    //@scratch ch06.gather_results
    //@exercise ch06.gather_results  Gather the children's values, in argument order.
    auto collect = [children] {
        std::vector<Value<T>> results;
        for (const Future<T>& child : children)
            results.push_back(detail::value_of(child));
        return results;
    };
    return detail::start_gather<std::vector<Value<T>>>(detail::states_of(children), false, collect);
    //@end
    //@end
}

template <class T>
Future<std::vector<Value<T>>> gather(std::vector<Task<T>> children) {
    return gather(std::vector<Future<T>>(children.begin(), children.end()));
}

// gather(a, b, c) of different types: a tuple of their values.
template <class... T>
Future<std::tuple<Value<T>...>> gather(Future<T>... children) {
    //@scratch ch06.gather_tuple
    //@exercise ch06.gather_tuple  The list form's start, with a tuple of values.
    std::vector<detail::StatePtr> states{children.state()...};
    auto collect = [children...] { return std::tuple<Value<T>...>(detail::value_of(children)...); };
    return detail::start_gather<std::tuple<Value<T>...>>(std::move(states), false, collect);
    //@end
    //@end
}

// asyncio.gather(*children, return_exceptions=True): every child's outcome;
// the outer fails only when it was cancelled itself (bpo-32684).
template <class T>
Future<std::vector<Outcome<T>>> gather_outcomes(std::vector<Future<T>> children) {
    //@scratch ch06.gather_outcomes
    //@exercise ch06.gather_outcomes  A gather that keeps errors: one Outcome per child.
    auto collect = [children] {
        std::vector<Outcome<T>> outcomes;
        for (const Future<T>& child : children) {
            if (child.cancelled()) {
                CancelledError cancelled(child.state()->cancel_message());
                outcomes.push_back(Outcome<T>::failure(std::make_exception_ptr(cancelled)));
            } else if (std::exception_ptr error = child.exception()) {
                outcomes.push_back(Outcome<T>::failure(error));
            } else {
                outcomes.push_back(Outcome<T>::success(detail::value_of(child)));
            }
        }
        return outcomes;
    };
    return detail::start_gather<std::vector<Outcome<T>>>(detail::states_of(children), true,
                                                         collect);
    //@end
    //@end
}

} // namespace aio
