// Helpers for the selector tests: owned pipes and socket pairs, and a way to see
// a closed fd's number taken over by a new file.
#pragma once

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include <gtest/gtest.h>

namespace looplab {

inline void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

inline void set_nonblocking(int fd) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
        throw std::system_error(errno, std::generic_category(), "fcntl");
}

// Two owned fds, [0] and [1]; either may be closed early, or moved to another number.
class FdPair {
public:
    FdPair(const FdPair&) = delete;
    FdPair& operator=(const FdPair&) = delete;
    ~FdPair() {
        close_fd(fds_[0]);
        close_fd(fds_[1]);
    }
    void close_end(int end) { close_fd(fds_[end]); }
    // Moves end `end` to fd number `number` (dup2 closes whatever was there).
    void move_end_to(int end, int number) {
        if (fds_[end] == number) return; // pipe() may have picked that very number
        if (::dup2(fds_[end], number) < 0)
            throw std::system_error(errno, std::generic_category(), "dup2");
        ::close(fds_[end]);
        fds_[end] = number;
    }
    // Writes one byte to end `end`; true if it went in (false: would block).
    bool put(int end, char byte = 'x') { return ::write(fds_[end], &byte, 1) == 1; }
    // Reads what is there (non-blocking ends only), up to 64 KiB.
    std::string take(int end) {
        std::string got(65536, '\0');
        ssize_t n = ::read(fds_[end], got.data(), got.size());
        got.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
        return got;
    }

protected:
    FdPair() = default;
    std::array<int, 2> fds_{-1, -1};
};

// A non-blocking pipe: read_end() reads what write_end() writes.
class Pipe : public FdPair {
public:
    Pipe() {
        if (::pipe(fds_.data()) != 0)
            throw std::system_error(errno, std::generic_category(), "pipe");
        set_nonblocking(fds_[0]);
        set_nonblocking(fds_[1]);
    }
    int read_end() const { return fds_[0]; }
    int write_end() const { return fds_[1]; }
    void write_byte() { ASSERT_TRUE(put(1)) << "the pipe should have room"; }
    void close_write_end() { close_end(1); }
    void close_read_end() { close_end(0); }
    // Writes until the pipe is full: its write end is no longer writable.
    void fill() {
        while (put(1)) {
        }
    }
};

// A non-blocking, connected AF_UNIX stream socket pair: left() <-> right().
class SocketPair : public FdPair {
public:
    SocketPair() {
        if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_.data()) != 0)
            throw std::system_error(errno, std::generic_category(), "socketpair");
        set_nonblocking(fds_[0]);
        set_nonblocking(fds_[1]);
    }
    int left() const { return fds_[0]; }
    int right() const { return fds_[1]; }
    void send_to_left(const std::string& text) {
        ASSERT_EQ(::send(fds_[1], text.data(), text.size(), MSG_NOSIGNAL),
                  static_cast<ssize_t>(text.size()))
            << "the test's socket should take " << text.size() << " bytes at once";
    }
    void close_right() { close_end(1); }
};

// Writes one byte to `fd` from another thread after `delay`, unless destroyed
// first: it ends a wait that should not block, so a test fails instead of hanging.
class WriteLater {
public:
    WriteLater(int fd, std::chrono::milliseconds delay)
        : thread_([this, fd, delay] {
              std::unique_lock lock(mutex_);
              if (cancel_.wait_for(lock, delay, [this] { return cancelled_; })) return;
              char byte = 'w';
              [[maybe_unused]] ssize_t ignored = ::write(fd, &byte, 1);
          }) {}
    ~WriteLater() {
        {
            std::lock_guard lock(mutex_);
            cancelled_ = true;
        }
        cancel_.notify_all();
        thread_.join();
    }
    WriteLater(const WriteLater&) = delete;
    WriteLater& operator=(const WriteLater&) = delete;

private:
    std::mutex mutex_;
    std::condition_variable cancel_;
    bool cancelled_ = false;
    std::thread thread_; // last: starts once the rest exists
};

// Raises the soft fd limit, for the scope, so that at least `needed` fds fit:
// up to the hard limit when the soft one is lower (an unprivileged process may
// do that much). ok() says whether `needed` fits now; soft() is the limit in force.
class FdLimit {
public:
    explicit FdLimit(rlim_t needed) {
        if (::getrlimit(RLIMIT_NOFILE, &saved_) != 0) return;
        soft_ = saved_.rlim_cur;
        if (soft_ < needed) {
            rlimit raised{saved_.rlim_max == RLIM_INFINITY ? needed : saved_.rlim_max,
                          saved_.rlim_max};
            changed_ = raised.rlim_cur > soft_ && ::setrlimit(RLIMIT_NOFILE, &raised) == 0;
            if (changed_) soft_ = raised.rlim_cur;
        }
    }
    ~FdLimit() {
        if (changed_) ::setrlimit(RLIMIT_NOFILE, &saved_);
    }
    FdLimit(const FdLimit&) = delete;
    FdLimit& operator=(const FdLimit&) = delete;
    bool ok(rlim_t needed) const { return soft_ >= needed; }
    rlim_t soft() const { return soft_; }

private:
    rlimit saved_{};
    rlim_t soft_ = 0;
    bool changed_ = false;
};

// what() of the E that fn throws; nullopt if it throws nothing. Any other
// exception goes through, and fails the test with its own message.
template <class E, class F>
std::optional<std::string> message_of(F&& fn) {
    try {
        fn();
    } catch (const E& error) {
        return std::string(error.what());
    }
    return std::nullopt;
}

} // namespace looplab
