// Chapter 04's callback client once more, as coroutines: one coroutine per
// request, each reading top to bottom (asyncio: asyncio.run(main()) with
// `await loop.sock_connect(...)`, `await loop.sock_recv(...)`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "coro.hpp"
#include "task.hpp"

namespace aio {

// One line per request to the slow local server, every request in a task of
// its own, all on one loop made by run(); the answers in request order,
// without their newline. The first error is thrown (std::system_error
// "connect" when refused, aio::Error when the server hangs up before the
// newline) and run() cancels the other requests. Must not be called while a
// loop runs in this thread.
std::vector<std::string> fetch_with_coroutines(std::uint16_t port,
                                               const std::vector<std::string>& requests);

// The coroutine of one request: connect, send the line, read up to the newline.
// Parameters by value: a coroutine outlives its caller's statement, so a
// reference parameter could dangle (see the chapter's pitfalls).
Coro<std::string> fetch_one_async(std::uint16_t port, std::string request, std::size_t index);

// Readiness as an awaitable (asyncio: what loop.sock_recv builds on): a future
// resolved by add_reader/add_writer; the watcher is removed however the wait
// ends, so a cancelled wait leaves nothing registered.
Coro<void> wait_readable(int fd);
Coro<void> wait_writable(int fd);

// The steps of one request, each a coroutine that reads top to bottom
// (asyncio: loop.sock_connect, sock_sendall, and a readline over sock_recv).
// fd is a non-blocking socket; errors are std::system_error naming the call.
Coro<void> connect_async(int fd, std::uint16_t port);
Coro<void> send_all_async(int fd, std::string data);
// The line without its newline; aio::Error (closed_mid_answer) on a hang-up before it.
Coro<std::string> read_line_async(int fd, std::size_t index);

} // namespace aio
