// Helpers for the chapter 04 client tests: counting this process's open file
// descriptors, and a connected pair of non-blocking sockets.
#pragma once

#include <dirent.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <system_error>
#include <thread>
#include <utility>

#include "net.hpp"
#include "timing.hpp"

namespace looplab {

inline int open_fds() {
    int count = 0;
    if (DIR* dir = ::opendir("/proc/self/fd")) {
        while (::readdir(dir) != nullptr)
            ++count;
        ::closedir(dir);
    }
    return count;
}

// open_fds() once it reaches `expected`, or after a second: the slow server
// runs in this process and closes its side of a connection only when it sees
// the EOF.
inline int open_fds_settled(int expected) {
    Stopwatch watch;
    while (open_fds() != expected && watch.seconds() < 1.0)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return open_fds();
}

// Two connected non-blocking stream sockets (socketpair): what one sends, the
// other receives. No address, no server.
inline std::pair<aio::UniqueFd, aio::UniqueFd> socket_pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
        throw std::system_error(errno, std::generic_category(), "socketpair");
    std::pair<aio::UniqueFd, aio::UniqueFd> pair{aio::UniqueFd(fds[0]), aio::UniqueFd(fds[1])};
    aio::set_nonblocking(fds[0]);
    aio::set_nonblocking(fds[1]);
    return pair;
}

} // namespace looplab
