// Signals through the loop: the self-pipe (see signals.hpp).
#include "signals.hpp"

#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <string>
#include <system_error>
#include <unistd.h>

namespace aio {

namespace {

// The write end of the pipe of the loop that handles this process's signals,
// or -1. A process has one set of signal dispositions, so it has one target:
// the kit's only global besides the running loop (asyncio: signal.set_wakeup_fd).
std::atomic<int> signal_target{-1};
static_assert(std::atomic<int>::is_always_lock_free, "read in signal context");

// Signal context: only async-signal-safe calls (write, errno). One byte, the
// signal's number; a full pipe drops it, as set_wakeup_fd does.
void write_signal_number(int signum) {
    const int saved_errno = errno;
    const unsigned char number = static_cast<unsigned char>(signum);
    const int fd = signal_target.load();
    if (fd >= 0 && ::write(fd, &number, 1) < 0) {
        // the pipe is full: the loop is far behind, and this signal is dropped
    }
    errno = saved_errno;
}

// asyncio: BaseSelectorEventLoop._check_signal, and signal.signal's refusal.
void check_signal(int signum) {
    if (signum < 1 || signum >= NSIG)
        throw ValueError("sig " + std::to_string(signum) + " out of range(1, " +
                         std::to_string(NSIG) + ")");
    if (signum == SIGKILL || signum == SIGSTOP)
        throw ValueError("sig " + std::to_string(signum) + " cannot be caught");
}

void set_flags(int fd) {
    if (::fcntl(fd, F_SETFL, O_NONBLOCK) != 0 || ::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), "fcntl");
}

} // namespace

namespace detail {

SignalWatcher::SignalWatcher(EventLoop& loop) : loop_(loop) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
    read_fd_ = fds[0];
    write_fd_ = fds[1];
    set_flags(read_fd_);
    set_flags(write_fd_);
    loop_.add_reader(read_fd_, [this] { on_readable(); });
}

SignalWatcher::~SignalWatcher() {
    for (const auto& [signum, action] : previous_)
        ::sigaction(signum, &action, nullptr);
    int mine = write_fd_;
    signal_target.compare_exchange_strong(mine, -1);
    loop_.remove_reader(read_fd_);
    ::close(read_fd_);
    ::close(write_fd_);
}

void SignalWatcher::claim_process() {
    int expected = -1;
    if (!signal_target.compare_exchange_strong(expected, write_fd_) && expected != write_fd_)
        throw RuntimeError("add_signal_handler: another event loop handles this process's signals");
}

void SignalWatcher::add(int signum, Callback handler) {
    claim_process();
    //@exercise ch13.signal_add  Route the signal to the pipe; keep its first disposition and the handler.
    struct sigaction action {};
    action.sa_handler = write_signal_number;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART; // a blocking call the signal interrupts goes on
    struct sigaction previous {};
    if (::sigaction(signum, &action, &previous) != 0)
        throw std::system_error(errno, std::generic_category(), "sigaction");
    previous_.try_emplace(signum, previous); // a second add must not forget the first
    handlers_[signum] = std::make_shared<Callback>(std::move(handler));
    //@end
}

bool SignalWatcher::remove(int signum) {
    //@exercise ch13.signal_remove  Forget the handler and give the signal its disposition back.
    if (handlers_.erase(signum) == 0) return false;
    auto previous = previous_.find(signum);
    ::sigaction(signum, &previous->second, nullptr);
    previous_.erase(previous);
    return true;
    //@end
}

void SignalWatcher::on_readable() {
    //@exercise ch13.signal_dispatch  Read every number in the pipe; schedule the handler of each.
    unsigned char numbers[64];
    ssize_t count;
    while ((count = ::read(read_fd_, numbers, sizeof numbers)) > 0) {
        for (ssize_t i = 0; i < count; ++i) {
            auto handler = handlers_.find(numbers[i]);
            if (handler != handlers_.end()) loop_.call_soon([run = handler->second] { (*run)(); });
        }
    }
    //@end
}

} // namespace detail

void add_signal_handler(EventLoop& loop, int signum, Callback handler) {
    check_signal(signum);
    if (!handler) throw ValueError("add_signal_handler: the handler is empty");
    if (loop.is_closed()) throw RuntimeError("Event loop is closed");
    loop.extension<detail::SignalWatcher>().add(signum, std::move(handler));
}

bool remove_signal_handler(EventLoop& loop, int signum) {
    check_signal(signum);
    if (loop.is_closed()) return false;
    return loop.extension<detail::SignalWatcher>().remove(signum);
}

} // namespace aio
