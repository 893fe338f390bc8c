// The transport's reading, writing and closing (asyncio:
// _SelectorSocketTransport._read_ready, write, _write_ready, close).
#include "transport.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "task.hpp"

namespace aio::detail {

Transport::Transport(EventLoop& loop, int fd, std::shared_ptr<ReaderState> reader)
    : loop_(loop), loop_alive_(loop.lifetime()), fd_(fd), reader_(std::move(reader)) {}

Transport::~Transport() {
    if (fd_ >= 0) ::close(fd_);
}

void Transport::start() {
    std::weak_ptr<Transport> self = weak_from_this();
    reader_->pause_reading = [self] {
        if (auto transport = self.lock()) transport->pause_reading();
    };
    reader_->resume_reading = [self] {
        if (auto transport = self.lock()) transport->resume_reading();
    };
    resume_reading();
}

void Transport::pause_reading() {
    if (reading_ && fd_ >= 0) loop_.remove_reader(fd_);
    reading_ = false;
}

void Transport::resume_reading() {
    if (reading_ || fd_ < 0 || reader_->eof) return;
    reading_ = true;
    loop_.add_reader(fd_, [self = shared_from_this()] { self->on_readable(); });
}

// One recv per readiness: data to the reader; 0 is the peer's EOF (the writer
// stays open: half-close); an error ends the connection.
void Transport::on_readable() {
    //@scratch ch10.on_readable
    //@exercise ch10.on_readable  One recv: feed data; 0: stop reading, feed EOF; error: abort.
    char chunk[READ_CHUNK];
    ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
    if (got < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        abort(os_error(errno, "recv"));
    } else if (got == 0) {
        pause_reading();
        reader_->feed_eof();
    } else {
        reader_->feed_data(std::string_view(chunk, static_cast<std::size_t>(got)));
    }
    //@end
    //@end
}

// Sends at once what the socket takes; keeps the rest and waits for writable.
void Transport::write(std::string_view data) {
    //@scratch ch10.write
    //@exercise ch10.write  Drop if closing; send now if nothing is buffered; buffer the rest.
    if (eof_requested_) throw RuntimeError("write: cannot write after write_eof()");
    if (closing_ || lost_ || fd_ < 0 || data.empty()) return;
    std::size_t done = 0;
    if (write_buffer_size() == 0) {
        ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            abort(os_error(errno, "send"));
            return;
        }
        done = n > 0 ? static_cast<std::size_t>(n) : 0;
    }
    if (done == data.size()) return;
    buffer_.erase(0, sent_); // drop the sent prefix, so the buffer does not grow without end
    sent_ = 0;
    buffer_.append(data.substr(done));
    if (!writer_registered_) {
        writer_registered_ = true;
        loop_.add_writer(fd_, [self = shared_from_this()] { self->on_writable(); });
    }
    //@end
    //@end
}

// The socket can take more: send from the buffer; below the low-water mark the
// drain() waiters go on; once empty, stop watching, then the pending EOF/close.
void Transport::on_writable() {
    //@scratch ch10.flush
    //@exercise ch10.flush  Send from the buffer; wake drainers at low water; empty: stop, close.
    ssize_t n = ::send(fd_, buffer_.data() + sent_, write_buffer_size(), MSG_NOSIGNAL);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        abort(os_error(errno, "send"));
        return;
    }
    sent_ += static_cast<std::size_t>(n);
    if (write_buffer_size() <= LOW_WATER) wake_drainers(nullptr);
    if (write_buffer_size() > 0) return;
    buffer_.clear();
    sent_ = 0;
    writer_registered_ = false;
    loop_.remove_writer(fd_);
    shutdown_write_if_flushed();
    if (closing_) finish_close();
    //@end
    //@end
}

Coro<void> Transport::drain() {
    //@scratch ch10.drain
    //@exercise ch10.drain  Lost: ConnectionResetError. Above high water: wait to be woken.
    if (lost_ || fd_ < 0) throw ConnectionResetError("Connection lost");
    if (write_buffer_size() <= HIGH_WATER) co_return;
    Future<void> drained(loop_);
    drainers_.push_back(drained);
    co_await drained;
    //@end
    //@end
}

void Transport::wake_drainers(std::exception_ptr error) {
    std::vector<Future<void>> waiting = std::move(drainers_);
    drainers_.clear();
    for (Future<void>& drained : waiting) {
        if (drained.done()) continue; // its drain() was cancelled
        if (error)
            drained.set_exception(error);
        else
            drained.set_result();
    }
}

void Transport::write_eof() {
    if (eof_requested_ || closing_) return;
    eof_requested_ = true;
    shutdown_write_if_flushed();
}

void Transport::shutdown_write_if_flushed() {
    if (!eof_requested_ || eof_sent_ || write_buffer_size() > 0 || fd_ < 0) return;
    eof_sent_ = true;
    ::shutdown(fd_, SHUT_WR);
}

void Transport::close() {
    if (closing_) return;
    closing_ = true;
    pause_reading();
    if (write_buffer_size() == 0) finish_close();
}

// The connection is lost (an error) or dropped on purpose: nothing more is sent.
void Transport::abort(std::exception_ptr error) {
    //@scratch ch10.abort
    //@exercise ch10.abort  Keep the error; drop the buffer; tell the reader; close.
    if (fd_ < 0) return;
    lost_ = error ? error : std::make_exception_ptr(ConnectionAbortedError("Connection aborted"));
    closing_ = true;
    buffer_.clear();
    sent_ = 0;
    if (!reader_->eof && !reader_->error) reader_->set_exception(lost_);
    finish_close();
    //@end
    //@end
}

void Transport::finish_close() {
    //@scratch ch10.close
    //@exercise ch10.close  Once: unwatch, close the fd; EOF, fail drainers, wake waiters.
    if (fd_ < 0) return;
    bool loop_alive = !loop_alive_.expired();
    if (loop_alive) {
        loop_.remove_reader(fd_);
        loop_.remove_writer(fd_);
    }
    reading_ = writer_registered_ = false;
    ::close(fd_);
    fd_ = -1;
    if (!loop_alive) return;
    if (!reader_->eof && !reader_->error) reader_->feed_eof();
    wake_drainers(std::make_exception_ptr(ConnectionResetError("Connection lost")));
    for (Future<void>& waiter : closed_waiters_)
        if (!waiter.done()) waiter.set_result();
    closed_waiters_.clear();
    if (auto callback = std::move(on_closed_)) callback();
    //@end
    //@end
}

Coro<void> Transport::wait_closed() {
    if (fd_ < 0) co_return;
    Future<void> closed(loop_);
    closed_waiters_.push_back(closed);
    co_await closed;
}

std::string Transport::peername() const {
    //@scratch ch10.peername
    //@exercise ch10.peername  getpeername as "a.b.c.d:port" or "[v6]:port"; "" if closed.
    sockaddr_storage address{};
    socklen_t size = sizeof address;
    if (fd_ < 0 || ::getpeername(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) return "";
    char text[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET) {
        auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
        ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
        return std::string(text) + ":" + std::to_string(ntohs(v4->sin_port));
    }
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
    ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    return "[" + std::string(text) + "]:" + std::to_string(ntohs(v6->sin6_port));
    //@end
    //@end
}

} // namespace aio::detail
