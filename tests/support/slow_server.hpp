// The slow local server of the tests and demos: answers each request line after
// a delay, serving hundreds of connections at once, and counts how many requests
// it holds at the same time (a secretly sequential client shows a peak of 1).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

namespace looplab {

struct SlowServerOptions {
    std::chrono::milliseconds delay{100}; // from a request's newline to its answer
    bool close_mid_answer = false;        // send half of the first answer, then close
    bool never_answer = false;            // read requests, hold them, never answer
};

// Binds 127.0.0.1 on an ephemeral port and serves from one thread: a poll() loop
// over the listener, the connections and a wake-up pipe, with one deadline per
// held request. Each line received is one request; its answer is
// answer_for(line) + "\n", sent `delay` later on the same connection. The
// destructor wakes the thread through the pipe, joins it and closes every socket.
class SlowServer {
public:
    explicit SlowServer(SlowServerOptions options = {});
    ~SlowServer();
    SlowServer(const SlowServer&) = delete;
    SlowServer& operator=(const SlowServer&) = delete;

    std::uint16_t port() const;
    int peak_concurrency() const; // the most requests held (received, not yet answered) at once
    int requests_answered() const;
    void reset_stats(); // answered = 0; the peak restarts from the requests held now
    static std::string answer_for(const std::string& request); // "re: " + request

private:
    struct State; // the server thread's world (slow_server.cpp)
    std::unique_ptr<State> state_;
    std::thread thread_;
};

} // namespace looplab
