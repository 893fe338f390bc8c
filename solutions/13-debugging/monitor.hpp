// The performance monitor of the source articles: monitored(name, coro) times
// every run of a coroutine on the loop's clock and keeps, per name, how many
// ran, how many failed, and the distribution of their durations
// (Python: a decorator around `async def` with time.perf_counter in a finally).
#pragma once

#include <exception>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "aio_base.hpp"
#include "coro.hpp"
#include "event_loop.hpp"

namespace aio {

// One name's summary. Percentiles are nearest-rank on every recorded run.
struct Stats {
    std::size_t count = 0;    // runs recorded
    std::size_t failures = 0; // runs that ended with an exception (a cancel included)
    Duration total{}, mean{}, min{}, max{}, p50{}, p99{};
};

class Monitor {
public:
    // A coroutine that runs `coro` inline and records the run under `name`:
    // its duration on the running loop's clock, and whether it failed. The
    // result or the exception passes through unchanged. The Monitor must
    // outlive the returned Coro.
    template <class T>
    Coro<T> monitored(std::string name, Coro<T> coro);

    // One run, recorded by hand (what monitored does at the end of each run).
    void record(std::string_view name, Duration elapsed, bool failed);

    // KeyError if nothing was recorded under `name`.
    Stats stats(std::string_view name) const;
    std::vector<std::string> names() const; // in alphabetical order

    std::string table() const;   // one row per name, durations in ms
    std::string to_json() const; // {"name": {"count": 3, ..., "p99_s": 0.03}, ...}

private:
    template <class T>
    Coro<T> monitored_value(std::string name, Coro<T> coro);

    // Every run is kept: exact percentiles on a test's sample. A long-lived
    // server would keep a bounded reservoir instead.
    struct Record {
        std::vector<Duration> samples; // in the order the runs ended
        std::size_t failures = 0;
    };
    std::map<std::string, Record, std::less<>> records_;
};

namespace detail {
// A Coro<void> as a Coro of an empty value, so that monitored has one path.
inline Coro<std::monostate> as_value(Coro<void> coro) {
    co_await coro;
    co_return std::monostate{};
}
} // namespace detail

template <class T>
Coro<T> Monitor::monitored(std::string name, Coro<T> coro) {
    if constexpr (std::is_void_v<T>) {
        co_await monitored_value(std::move(name), detail::as_value(std::move(coro)));
    } else {
        co_return co_await monitored_value(std::move(name), std::move(coro));
    }
}

template <class T>
Coro<T> Monitor::monitored_value(std::string name, Coro<T> coro) {
    //@exercise ch13.monitored  Run coro and record the run, failed or not; pass its outcome on.
    EventLoop& loop = get_running_loop();
    const TimePoint started = loop.time();
    std::optional<T> value;
    std::exception_ptr error;
    try {
        value.emplace(co_await coro);
    } catch (...) { // CancelledError is no std::exception: catch everything
        error = std::current_exception();
    }
    record(name, loop.time() - started, error != nullptr);
    if (error) std::rethrow_exception(error);
    co_return std::move(*value);
    //@end
}

} // namespace aio
