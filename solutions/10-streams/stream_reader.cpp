// The reader's buffer and its read* coroutines (asyncio: streams.StreamReader).
// Each read* is a free coroutine over the shared state, so it never depends on
// the handle that started it.
#include "stream_reader.hpp"

#include "task.hpp"

namespace aio {

namespace detail {

void ReaderState::feed_data(std::string_view data) {
    //@scratch ch10.feed_data
    //@exercise ch10.feed_data  Append, wake the reader, pause above 2 x limit.
    if (data.empty()) return;
    buffer.append(data);
    wake();
    if (pause_reading && !paused && buffer.size() > 2 * limit) {
        paused = true;
        pause_reading();
    }
    //@end
    //@end
}

void ReaderState::feed_eof() {
    eof = true;
    wake();
}

void ReaderState::set_exception(std::exception_ptr e) {
    error = e;
    if (waiter && !waiter->done()) waiter->set_exception(std::move(e));
}

void ReaderState::wake() {
    if (waiter && !waiter->done()) waiter->set_result();
}

void ReaderState::maybe_resume() {
    if (paused && buffer.size() <= limit) {
        paused = false;
        resume_reading();
    }
}

std::string ReaderState::take(std::size_t n) {
    std::string chunk = buffer.substr(0, n);
    buffer.erase(0, n);
    maybe_resume();
    return chunk;
}

void ReaderState::throw_if_failed() const {
    if (error) std::rethrow_exception(error);
}

// Clears the waiter however the wait ends (asyncio: `finally: self._waiter = None`).
struct ClearWaiter {
    ReaderState& state;
    ~ClearWaiter() { state.waiter.reset(); }
};

Coro<void> wait_for_data(std::shared_ptr<ReaderState> state, const char* caller) {
    //@scratch ch10.wait_for_data
    //@exercise ch10.wait_for_data  One waiter at a time; resume a paused transport; wait.
    if (state->waiter)
        throw RuntimeError(std::string(caller) +
                           "() called while another coroutine is already waiting for incoming "
                           "data");
    // A paused transport would never feed us: with a reader waiting, read on.
    if (state->paused) {
        state->paused = false;
        state->resume_reading();
    }
    state->waiter.emplace(get_running_loop());
    ClearWaiter clear{*state};
    Future<void> waiter = *state->waiter;
    co_await waiter;
    //@end
    //@end
}

namespace {

Coro<std::string> read_some(std::shared_ptr<ReaderState> state, std::ptrdiff_t n) {
    //@scratch ch10.read
    //@exercise ch10.read  n < 0: wait for EOF, take all; else wait for some data, take up to n.
    state->throw_if_failed();
    if (n == 0) co_return std::string();
    if (n < 0) { // until EOF
        while (!state->eof)
            co_await wait_for_data(state, "read");
        co_return state->take(state->buffer.size());
    }
    if (state->buffer.empty() && !state->eof) co_await wait_for_data(state, "read");
    co_return state->take(static_cast<std::size_t>(n));
    //@end
    //@end
}

Coro<std::string> read_exactly(std::shared_ptr<ReaderState> state, std::size_t n) {
    //@scratch ch10.readexactly
    //@exercise ch10.readexactly  Wait for n bytes and take them; EOF first: IncompleteReadError.
    state->throw_if_failed();
    while (state->buffer.size() < n) {
        if (state->eof) {
            std::string partial = std::move(state->buffer);
            state->buffer.clear();
            throw IncompleteReadError(std::move(partial), n);
        }
        co_await wait_for_data(state, "readexactly");
    }
    co_return state->take(n);
    //@end
    //@end
}

Coro<std::string> read_until(std::shared_ptr<ReaderState> state, std::string separator) {
    //@scratch ch10.readuntil
    //@exercise ch10.readuntil  Find the separator in new bytes; limit and EOF errors; take it.
    if (separator.empty()) throw ValueError("Separator should be at least one-byte string");
    state->throw_if_failed();
    std::size_t offset = 0; // everything before it was searched already
    std::size_t found;
    for (;;) {
        if (state->buffer.size() >= offset + separator.size()) {
            found = state->buffer.find(separator, offset);
            if (found != std::string::npos) break;
            offset = state->buffer.size() + 1 - separator.size();
            if (offset > state->limit)
                throw LimitOverrunError("Separator is not found, and chunk exceed the limit",
                                        offset);
        }
        if (state->eof) {
            std::string partial = std::move(state->buffer);
            state->buffer.clear();
            throw IncompleteReadError(std::move(partial), std::nullopt);
        }
        co_await wait_for_data(state, "readuntil");
    }
    if (found > state->limit)
        throw LimitOverrunError("Separator is found, but chunk is longer than limit", found);
    co_return state->take(found + separator.size());
    //@end
    //@end
}

// What readline does with a LimitOverrunError before it becomes a ValueError:
// the line is dropped through its newline, or the whole buffer if none is there.
void drop_overlong_line(ReaderState& state, std::size_t consumed) {
    if (state.buffer.compare(consumed, 1, "\n") == 0)
        state.buffer.erase(0, consumed + 1);
    else
        state.buffer.clear();
    state.maybe_resume();
}

Coro<std::string> read_line(std::shared_ptr<ReaderState> state) {
    //@scratch ch10.readline
    //@exercise ch10.readline  readuntil a newline; EOF: the partial; too long: drop, ValueError.
    std::optional<std::size_t> overrun;
    std::string line, overrun_message;
    try {
        line = co_await read_until(state, "\n");
    } catch (const IncompleteReadError& e) {
        line = e.partial;
    } catch (const LimitOverrunError& e) {
        overrun = e.consumed;
        overrun_message = e.what();
    }
    if (overrun) {
        drop_overlong_line(*state, *overrun);
        throw ValueError(overrun_message);
    }
    co_return line;
    //@end
    //@end
}

} // namespace

} // namespace detail

StreamReader::StreamReader(std::size_t limit) {
    if (limit == 0) throw ValueError("StreamReader: the limit must be greater than 0");
    state_ = std::make_shared<detail::ReaderState>(limit);
}

Coro<std::string> StreamReader::read(std::ptrdiff_t n) {
    return detail::read_some(state_, n);
}
Coro<std::string> StreamReader::readline() {
    return detail::read_line(state_);
}
Coro<std::string> StreamReader::readexactly(std::size_t n) {
    return detail::read_exactly(state_, n);
}
Coro<std::string> StreamReader::readuntil(std::string separator) {
    return detail::read_until(state_, std::move(separator));
}

} // namespace aio
