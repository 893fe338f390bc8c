// Helpers for the chapter 11 tests: a bounded run of a coroutine, a raw
// client that sends bytes and reads answers, the exception handler's reports.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "combinators.hpp"
#include "http.hpp"
#include "task.hpp"

namespace looplab {

using namespace std::chrono_literals;

// Runs coro as a task of the loop, at most `limit` of real time; returns its
// result or rethrows; InvalidStateError "Result is not set." if it hung.
template <class T>
T run_bounded(aio::EventLoop& loop, aio::Coro<T> coro, aio::Duration limit = 20s) {
    aio::Task<T> task = aio::create_task(loop, std::move(coro));
    aio::TimerHandle guard = loop.call_later(limit, [&loop] { loop.stop(); });
    try {
        aio::run_until_complete(loop, aio::Future<T>(task));
    } catch (...) {
    }
    guard.cancel();
    return task.result();
}

// Keeps every report the loop's exception handler receives.
struct RecordedReports {
    explicit RecordedReports(aio::EventLoop& loop) {
        loop.set_exception_handler([this](aio::EventLoop&, const aio::ExceptionContext& context) {
            messages.push_back(context.message);
            errors.push_back(context.exception);
        });
    }
    std::vector<std::string> messages;
    std::vector<std::exception_ptr> errors;
};

inline aio::Coro<void> read_all_into(aio::StreamReader reader, std::string* out) {
    for (std::string part; !(part = co_await reader.read(65536)).empty();)
        *out += part;
}

// Sends raw bytes to 127.0.0.1:port, then reads until the server closes (or
// `wait` passes): every byte the server sent.
inline aio::Coro<std::string> raw_exchange(std::uint16_t port, std::string bytes,
                                           aio::Duration wait = 5s, bool half_close = false) {
    auto [reader, writer] = co_await aio::open_connection("127.0.0.1", port);
    writer.write(bytes);
    if (half_close) writer.write_eof();
    std::string all;
    try {
        co_await aio::timeout(wait, read_all_into(reader, &all));
    } catch (const aio::TimeoutError&) {
        all += "<still open>";
    } catch (const aio::ConnectionError&) {
        all += "<reset>";
    }
    writer.close();
    co_return all;
}

// The responses in raw bytes from a server.
inline std::vector<aio::http::Response> responses_in(const std::string& bytes,
                                                     std::vector<std::string> methods = {}) {
    aio::http::ResponseParser parser;
    for (auto& m : methods)
        parser.expect(m);
    parser.feed(bytes.substr(0, bytes.find("<still open>")));
    std::vector<aio::http::Response> out;
    while (auto r = parser.next())
        out.push_back(*r);
    return out;
}

} // namespace looplab
