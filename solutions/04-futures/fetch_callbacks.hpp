// Chapter 00's multiplexed client rebuilt on the event loop and futures, every
// step a callback: the "callback hell" that chapter 05's coroutines untangle.
#pragma once

#include <cstddef>
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
// (their answers cancelled, their sockets unwatched and closed):
// std::system_error("connect") when refused, aio::Error (closed_mid_answer)
// when the server hangs up before the newline.
// asyncio: loop.run_until_complete(asyncio.gather(*(fetch(r) for r in requests)))
// with fetch written on loop.add_writer/add_reader and futures.
std::vector<std::string> fetch_with_callbacks(EventLoop& loop, std::uint16_t port,
                                              const std::vector<std::string>& requests);

// The steps, each a future (the caller owns fd, a non-blocking TCP socket).
//
// connect_async: connect fd to 127.0.0.1:port (asyncio: loop.sock_connect).
// - connect() says EINPROGRESS (or EINTR: the handshake goes on anyway): a
//   writer on fd waits for the end of the handshake; SO_ERROR then decides
//   the future (std::system_error("connect"), e.g. connection refused), and
//   the writer is removed;
// - connect() decides at once (a blocking socket, or an error such as
//   ENOTSOCK or EBADF): the future is already done when connect_async
//   returns (the result, or std::system_error("connect") with that errno), and
//   no writer is registered. Its done callbacks still run on the loop.
Future<void> connect_async(EventLoop& loop, int fd, std::uint16_t port);

// send_all_async: send all of data from a writer on fd, as many send()s as
// it takes; done when the last byte is out (std::system_error("send") if a
// send fails). The writer is removed either way. asyncio: loop.sock_sendall.
Future<void> send_all_async(EventLoop& loop, int fd, std::string data);

// read_line_async: read from a reader on fd up to the first newline; the
// line without it. aio::Error closed_mid_answer(bytes, index) when the peer
// closes first, std::system_error("recv") if a recv fails. The reader is
// removed either way. Bytes after the newline are dropped (one line per
// connection). asyncio: a StreamReader.readline, by hand.
Future<std::string> read_line_async(EventLoop& loop, int fd, std::size_t index);

// One request as a chain of callbacks: connect, then send the line, then read
// the answer, each step started by the previous one's done callback. A failed
// step's exception becomes the answer's; once the answer is done (cancelled:
// the caller gave up), no further step starts.
Future<std::string> fetch_one_callbacks(EventLoop& loop, int fd, std::uint16_t port,
                                        std::string request, std::size_t index);

// Hand-written gather: a future that is done when every one of `futures` is
// done (result: nothing), or as soon as one fails (that exception) or is
// cancelled (cancelled too). Every failed future's exception counts as
// retrieved, even after the first one decided the result. No futures: done at
// once. asyncio: gather(*futures), which chapter 06 builds in full.
Future<void> all_done(EventLoop& loop, const std::vector<Future<std::string>>& futures);

} // namespace aio
