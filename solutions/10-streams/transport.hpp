// The transport: one connected socket on the loop. It feeds a StreamReader
// from the socket and drains a write buffer into it (asyncio:
// selector_events._SelectorSocketTransport, plus the protocol's flow control).
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "event_loop.hpp"
#include "future.hpp"
#include "stream_reader.hpp"

namespace aio::detail {

// Write buffer water marks (asyncio: FlowControlMixin's defaults).
constexpr std::size_t HIGH_WATER = 64 * 1024;
constexpr std::size_t LOW_WATER = 16 * 1024;
constexpr std::size_t READ_CHUNK = 64 * 1024; // asyncio: max_size of one recv

// Owns the fd. Lives while a handle or a registered callback holds it: the
// reader and writer callbacks capture shared_ptrs to it, and close() removes
// them. Loop thread only.
class Transport : public std::enable_shared_from_this<Transport> {
public:
    Transport(EventLoop& loop, int fd, std::shared_ptr<ReaderState> reader);
    ~Transport(); // closes the fd if still open
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;

    void start(); // begins reading; call once, after make_shared

    // Reading (the reader's flow control calls these).
    void on_readable();
    void pause_reading();
    void resume_reading();

    // Writing.
    void write(std::string_view data);
    void on_writable();
    std::size_t write_buffer_size() const { return buffer_.size() - sent_; }
    Coro<void> drain();
    void write_eof();

    // Closing: flushes, then closes the fd; abort() closes at once.
    void close();
    void abort(std::exception_ptr error);
    bool is_closing() const { return closing_; }
    Coro<void> wait_closed();
    void on_closed(std::function<void()> callback) { on_closed_ = std::move(callback); }

    std::string peername() const;
    EventLoop& loop() const { return loop_; }

private:
    void wake_drainers(std::exception_ptr error);
    void shutdown_write_if_flushed();
    void finish_close();

    EventLoop& loop_;
    std::weak_ptr<const void> loop_alive_;
    int fd_;
    std::shared_ptr<ReaderState> reader_;
    bool reading_ = false;
    std::string buffer_;   // bytes to send, from sent_ on
    std::size_t sent_ = 0; // a prefix already sent: dropped by write() before it appends,
                           // and with the rest once on_writable has sent everything
    bool writer_registered_ = false;
    bool eof_requested_ = false;
    bool eof_sent_ = false;
    bool closing_ = false;
    std::exception_ptr lost_; // the error that ended the connection, if one did
    std::vector<Future<void>> drainers_;
    std::vector<Future<void>> closed_waiters_;
    std::function<void()> on_closed_;
};

} // namespace aio::detail
