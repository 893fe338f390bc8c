// One request's life on a non-blocking socket, written as a state machine so
// that one thread can drive hundreds of them with poll() (asyncio: the
// callbacks a selector event loop runs for a socket, written out by hand).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "net.hpp"

namespace aio {

class Exchange {
public:
    //   start()         writable               request sent       '\n' received
    //  ---------> CONNECTING ------> WRITING ---------------> READING ----------> DONE
    //  (EINPROGRESS)          (SO_ERROR)      (partial sends)       (partial recvs)
    enum class State { IDLE, CONNECTING, WRITING, READING, DONE };

    Exchange(std::uint16_t port, std::string request, std::size_t index);

    void start();                 // opens a non-blocking socket and begins the connect
    short poll_events() const;    // what this exchange waits for: POLLOUT, POLLIN or 0
    void on_ready(short revents); // poll() said our fd is ready: take the next step

    State state() const { return state_; }
    bool done() const { return state_ == State::DONE; }
    int fd() const { return socket_.get(); }
    std::size_t index() const { return index_; }
    const std::string& answer() const { return answer_; } // without the newline, once done

private:
    void on_writable(); // finish the connect, then send what is left of the request
    void on_readable(); // append what arrived; done at the newline

    std::uint16_t port_;
    std::size_t index_;
    UniqueFd socket_;
    State state_ = State::IDLE;
    std::string out_;      // the request line
    std::size_t sent_ = 0; // bytes of out_ already sent
    std::string answer_;   // bytes received so far
};

// The event loop of this chapter in one function: start every exchange, then
// poll() all unfinished sockets at once and let each exchange take its step,
// until all are done. on_done(exchange) runs as each one finishes (the demo
// uses it to draw its timeline). The first error is thrown; the other
// exchanges are abandoned (their sockets close with the vector).
void run_exchanges(std::vector<Exchange>& exchanges,
                   const std::function<void(const Exchange&)>& on_done = {});

} // namespace aio
