// The errors of sockets and streams (asyncio: ConnectionError and its
// subclasses, IncompleteReadError, LimitOverrunError).
#pragma once

#include <cstddef>
#include <exception>
#include <optional>
#include <string>
#include <system_error>

#include "aio_base.hpp"

namespace aio {

// clang-format off
struct ConnectionError : Error { using Error::Error; };
struct ConnectionResetError : ConnectionError { using ConnectionError::ConnectionError; };     // ECONNRESET
struct ConnectionRefusedError : ConnectionError { using ConnectionError::ConnectionError; };   // ECONNREFUSED
struct BrokenPipeError : ConnectionError { using ConnectionError::ConnectionError; };          // EPIPE
struct ConnectionAbortedError : ConnectionError { using ConnectionError::ConnectionError; };   // ECONNABORTED
// clang-format on

// EOF came before the read was satisfied. partial: what was read; expected:
// the byte count readexactly wanted (nullopt from readuntil).
struct IncompleteReadError : Error {
    IncompleteReadError(std::string partial_bytes, std::optional<std::size_t> expected_bytes);
    std::string partial;
    std::optional<std::size_t> expected;
};

// readuntil looked past the reader's limit. consumed: how far it looked.
struct LimitOverrunError : Error {
    LimitOverrunError(const std::string& message, std::size_t consumed_bytes)
        : Error(message), consumed(consumed_bytes) {}
    std::size_t consumed;
};

// The exception for a failed system call: the ConnectionError subclass of
// that errno, or std::system_error; what() is "call: strerror(err)".
std::exception_ptr os_error(int err, const char* call);
[[noreturn]] void throw_os_error(int err, const char* call);

// The category of getaddrinfo's status codes (EAI_NONAME, ...), which are not
// errnos: message() is gai_strerror. A failed lookup is a std::system_error of
// this category (Python: socket.gaierror).
const std::error_category& resolver_category();

} // namespace aio
