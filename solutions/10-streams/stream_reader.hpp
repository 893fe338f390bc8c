// StreamReader: a buffer of received bytes that coroutines read from, with a
// limit that pauses the socket when the buffer grows (asyncio.StreamReader).
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "coro.hpp"
#include "future.hpp"
#include "stream_errors.hpp"

namespace aio {

namespace detail {

// The shared state behind every handle of one reader. Loop thread only.
struct ReaderState {
    explicit ReaderState(std::size_t limit_bytes) : limit(limit_bytes) {}

    std::string buffer; // received, not yet read
    std::size_t limit;  // readline/readuntil give up past it; the transport pauses above 2x
    bool eof = false;   // feed_eof() was called
    std::exception_ptr error;
    std::optional<Future<void>> waiter; // the one read* waiting for data, if any
    // Flow control, set by the transport that feeds this reader (none when fed by hand).
    std::function<void()> pause_reading, resume_reading;
    bool paused = false;

    void feed_data(std::string_view data);
    void feed_eof();
    void set_exception(std::exception_ptr e);
    void wake();                     // completes the waiter, if any
    void maybe_resume();             // after a read: at or below the limit, read again
    std::string take(std::size_t n); // the first n bytes out of the buffer
    void throw_if_failed() const;
};

// Waits until feed_data, feed_eof or set_exception wakes it (asyncio:
// _wait_for_data). RuntimeError if another read* is already waiting.
Coro<void> wait_for_data(std::shared_ptr<ReaderState> state, const char* caller);

} // namespace detail

// A copyable handle to shared state. Every read* is a coroutine that keeps the
// state alive while it waits, so a handle may go away meanwhile.
class StreamReader {
public:
    // 0: ValueError. Reading pauses above 2 x limit and resumes at <= limit,
    // or when a reader waits.
    explicit StreamReader(std::size_t limit = 65536);

    // asyncio's feeding API (what the transport calls; tests call it too).
    void feed_data(std::string_view data) { state_->feed_data(data); }
    void feed_eof() { state_->feed_eof(); }
    void set_exception(std::exception_ptr e) { state_->set_exception(std::move(e)); }
    std::exception_ptr exception() const { return state_->error; }

    Coro<std::string> read(std::ptrdiff_t n = -1); // -1: until EOF; "" at EOF
    Coro<std::string> readline();                  // ValueError past the limit
    Coro<std::string> readexactly(std::size_t n);  // IncompleteReadError at EOF
    Coro<std::string> readuntil(std::string separator);
    bool at_eof() const { return state_->eof && state_->buffer.empty(); }

    std::size_t limit() const { return state_->limit; }
    const std::shared_ptr<detail::ReaderState>& state() const { return state_; }
    // Keeps the connection this reader belongs to open (see StreamWriter).
    void keep_alive(std::shared_ptr<void> owner) { owner_ = std::move(owner); }

private:
    std::shared_ptr<detail::ReaderState> state_;
    std::shared_ptr<void> owner_;
};

} // namespace aio
