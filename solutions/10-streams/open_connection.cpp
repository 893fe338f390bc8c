// open_connection: resolve (on the executor unless the host is numeric), then
// try each address in turn (asyncio: streams.open_connection,
// base_events.create_connection).
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>
#include <vector>

#include "loop_bridge.hpp"
#include "streams.hpp"

namespace aio {

namespace {

using detail::Address;

// A numeric host needs no resolver: "127.0.0.1", "::1".
std::vector<Address> numeric_address(const std::string& host, std::uint16_t port) {
    sockaddr_in v4{};
    if (::inet_pton(AF_INET, host.c_str(), &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(port);
        const char* bytes = reinterpret_cast<const char*>(&v4);
        return {Address(bytes, bytes + sizeof v4)};
    }
    sockaddr_in6 v6{};
    if (::inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(port);
        const char* bytes = reinterpret_cast<const char*>(&v6);
        return {Address(bytes, bytes + sizeof v6)};
    }
    return {};
}

// getaddrinfo blocks: it runs on a worker (asyncio: loop.getaddrinfo).
std::vector<Address> resolve_blocking(const std::string& host, std::uint16_t port) {
    //@scratch ch10.resolve
    //@exercise ch10.resolve  getaddrinfo for stream sockets; each sockaddr as bytes.
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    std::string service = std::to_string(port);
    int status = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
    if (status != 0) throw std::system_error(status, resolver_category(), "getaddrinfo " + host);
    std::vector<Address> addresses;
    for (addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
        const char* bytes = reinterpret_cast<const char*>(entry->ai_addr);
        addresses.emplace_back(bytes, bytes + entry->ai_addrlen);
    }
    ::freeaddrinfo(found);
    return addresses;
    //@end
    //@end
}

} // namespace

Coro<std::vector<Address>> detail::resolve(std::string host, std::uint16_t port) {
    std::vector<Address> numeric = numeric_address(host, port);
    if (!numeric.empty()) co_return numeric;
    auto lookup = [host, port] { return resolve_blocking(host, port); };
    co_return co_await to_thread(std::move(lookup));
}

namespace {

// One attempt: a non-blocking socket connected to address, or an exception.
Coro<int> connect_to(Address address) {
    const auto* target = reinterpret_cast<const sockaddr*>(address.data());
    int fd = ::socket(target->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw_os_error(errno, "socket");
    std::exception_ptr failure;
    try {
        co_await sock_connect(fd, target, static_cast<socklen_t>(address.size()));
    } catch (...) {
        failure = std::current_exception(); // a cancel too: the fd must not leak
    }
    if (failure) {
        ::close(fd);
        std::rethrow_exception(failure);
    }
    co_return fd;
}

} // namespace

Coro<std::pair<StreamReader, StreamWriter>> open_connection(std::string host, std::uint16_t port,
                                                            std::size_t limit) {
    //@scratch ch10.open_connection
    //@exercise ch10.open_connection  Try each resolved address in turn; none: the last error.
    if (limit == 0) throw ValueError("open_connection: the limit must be greater than 0");
    std::vector<Address> addresses = co_await detail::resolve(host, port);
    std::exception_ptr last_error;
    for (Address& address : addresses) {
        try {
            int fd = co_await connect_to(std::move(address));
            co_return make_streams(fd, limit);
        } catch (const std::exception&) {
            last_error = std::current_exception();
        }
    }
    if (!last_error) throw ValueError("open_connection: no address for " + host);
    std::rethrow_exception(last_error);
    //@end
    //@end
}

} // namespace aio
