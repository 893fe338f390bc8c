// Helpers for the chapter 03 tests: socket pairs, a watchdog that turns a hang
// into a failure, and an exception handler that records what it is given.
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "event_loop.hpp"

namespace looplab {

// Two connected, non-blocking AF_UNIX stream sockets; closed on destruction.
struct SocketPair {
    int fds[2] = {-1, -1};

    SocketPair() {
        if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) throw std::runtime_error("socketpair");
        for (int fd : fds)
            ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    ~SocketPair() {
        for (int fd : fds)
            if (fd >= 0) ::close(fd);
    }
    SocketPair(const SocketPair&) = delete;
    SocketPair& operator=(const SocketPair&) = delete;

    int left() const { return fds[0]; }
    int right() const { return fds[1]; }
    void send_to_left(const std::string& text) const { // makes left() readable
        ::send(fds[1], text.data(), text.size(), MSG_NOSIGNAL);
    }
    std::string read_left() const {
        char buffer[256];
        ssize_t n = ::recv(fds[0], buffer, sizeof buffer, 0);
        return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
    }
};

// A thread that rescues a loop stuck for longer than `patience` without a
// feed(), so that a lost wake-up makes the test fail (rescues() > 0) instead of
// hanging. It rescues through I/O, not through call_soon_threadsafe (whose
// wake-up may be the very thing that is broken): it writes to a socket whose
// reader, registered on construction, stops the loop.
class Watchdog {
public:
    Watchdog(aio::EventLoop& loop, std::chrono::seconds patience)
        : loop_(loop), patience_(patience) {
        loop.add_reader(alarm_.left(), [this] {
            alarm_.read_left();
            loop_.stop();
        });
        thread_ = std::thread([this] { watch(); });
    }
    ~Watchdog() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            done_ = true;
        }
        changed_.notify_one();
        thread_.join();
        if (!loop_.is_closed()) loop_.remove_reader(alarm_.left());
    }
    void feed() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            ++progress_;
        }
        changed_.notify_one();
    }
    int rescues() {
        std::lock_guard<std::mutex> lock(mutex_);
        return rescues_;
    }

private:
    void watch() {
        std::unique_lock<std::mutex> lock(mutex_);
        while (!done_) {
            long seen = progress_;
            if (changed_.wait_for(lock, patience_, [&] { return done_ || progress_ != seen; }))
                continue;
            ++rescues_;
            alarm_.send_to_left("!");
        }
    }

    aio::EventLoop& loop_;
    std::chrono::seconds patience_;
    SocketPair alarm_;
    std::mutex mutex_;
    std::condition_variable changed_;
    long progress_ = 0;
    int rescues_ = 0;
    bool done_ = false;
    std::thread thread_;
};

// Installs an exception handler that keeps every context it receives.
struct RecordingHandler {
    std::vector<aio::ExceptionContext> contexts;

    explicit RecordingHandler(aio::EventLoop& loop) {
        loop.set_exception_handler([this](aio::EventLoop&, const aio::ExceptionContext& context) {
            contexts.push_back(context);
        });
    }
};

// The what() of an exception_ptr ("" if null or not a std::exception).
inline std::string what_of(const std::exception_ptr& exception) {
    if (!exception) return "";
    try {
        std::rethrow_exception(exception);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "";
    }
}

} // namespace looplab
