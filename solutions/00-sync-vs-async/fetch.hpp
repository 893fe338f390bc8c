// Three clients of the slow local server, one per way of waiting: one request
// after another, a thread per request, and one thread multiplexing with poll().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "aio_base.hpp"

namespace aio {

// Each request is one line sent to the slow local server (tests/support), which
// answers one line per request after its delay. Answers come back in request
// order, without their newline. A refused connection throws
// std::system_error("connect"); a server that closes before the newline throws
// aio::Error. asyncio: a blocking loop vs asyncio.gather(*(fetch(r) for r in requests)).
std::vector<std::string> fetch_sequential(std::uint16_t port,
                                          const std::vector<std::string>& requests);
std::vector<std::string> fetch_threaded(std::uint16_t port,
                                        const std::vector<std::string>& requests);
std::vector<std::string> fetch_multiplexed(std::uint16_t port,
                                           const std::vector<std::string>& requests);

// The building block of the two blocking clients: one request on its own blocking
// connection (connect, send the line, read until the newline, close). `index`
// only names the request in error messages.
std::string fetch_one(std::uint16_t port, const std::string& request, std::size_t index = 0);

// The error every client throws when the server hangs up before the newline:
// "fetch: server closed the connection after 3 bytes of the answer to request 2".
Error closed_mid_answer(std::size_t bytes_received, std::size_t request_index);

} // namespace aio
