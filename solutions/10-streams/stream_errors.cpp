// errno to exception, as Python maps OSError's errno to its subclasses.
#include "stream_errors.hpp"

#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <system_error>

namespace aio {

IncompleteReadError::IncompleteReadError(std::string partial_bytes,
                                         std::optional<std::size_t> expected_bytes)
    : Error(std::to_string(partial_bytes.size()) + " bytes read on a total of " +
            (expected_bytes ? std::to_string(*expected_bytes) : std::string("undefined")) +
            " expected bytes"),
      partial(std::move(partial_bytes)), expected(expected_bytes) {}

std::exception_ptr os_error(int err, const char* call) {
    //@scratch ch10.os_error
    //@exercise ch10.os_error  Connection errnos to their ConnectionError; else std::system_error.
    std::string message = std::string(call) + ": " + std::strerror(err);
    switch (err) {
    case ECONNRESET: return std::make_exception_ptr(ConnectionResetError(message));
    case ECONNREFUSED: return std::make_exception_ptr(ConnectionRefusedError(message));
    case EPIPE: return std::make_exception_ptr(BrokenPipeError(message));
    case ECONNABORTED: return std::make_exception_ptr(ConnectionAbortedError(message));
    default: return std::make_exception_ptr(std::system_error(err, std::generic_category(), call));
    }
    //@end
    //@end
}

void throw_os_error(int err, const char* call) {
    std::rethrow_exception(os_error(err, call));
}

namespace {
class ResolverCategory : public std::error_category {
public:
    const char* name() const noexcept override { return "resolver"; }
    std::string message(int status) const override { return ::gai_strerror(status); }
};
} // namespace

const std::error_category& resolver_category() {
    static const ResolverCategory category;
    return category;
}

} // namespace aio
