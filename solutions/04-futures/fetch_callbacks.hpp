// Chapter 00's multiplexed client rebuilt on the event loop and futures, every
// step a callback: the "callback hell" that chapter 05's coroutines untangle.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "event_loop.hpp"
#include "future.hpp"

namespace aio {

// One line per request to the slow local server, all requests at once on one
// loop; the answers in request order, without their newline. Runs the loop
// until every answer is in (run_until_complete), so the loop must not be
// running. The first error is thrown and the other requests are abandoned
// (their sockets closed): std::system_error("connect") when refused,
// aio::Error (closed_mid_answer) when the server hangs up before the newline.
// asyncio: loop.run_until_complete(asyncio.gather(*(fetch(r) for r in requests)))
// with fetch written on loop.add_writer/add_reader and futures.
std::vector<std::string> fetch_with_callbacks(EventLoop& loop, std::uint16_t port,
                                              const std::vector<std::string>& requests);

// The first step on its own: a non-blocking connect to 127.0.0.1:port on fd;
// the future is done when the handshake is (an exception if it failed, e.g.
// std::system_error("connect") for a refused connection). asyncio: loop.sock_connect.
Future<void> connect_async(EventLoop& loop, int fd, std::uint16_t port);

} // namespace aio
