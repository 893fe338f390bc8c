// Checks that every client of chapter 00 must pass, written once and run by the
// Sequential, Threaded and Multiplexed suites.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aio_base.hpp"
#include "fetch.hpp"
#include "net.hpp"
#include "slow_server.hpp"
#include "timing.hpp"

namespace looplab {

// Sanitized builds run slower, thread creation most of all under ThreadSanitizer:
// upper time bounds stretch by this factor, as the grader stretches its limits.
constexpr double slowdown = sanitized ? 3.0 : 1.0;

using Client = std::vector<std::string> (*)(std::uint16_t, const std::vector<std::string>&);

// "req-0", "req-1", ...: distinct, so an answer in the wrong slot shows.
inline std::vector<std::string> numbered_requests(int count, const std::string& prefix = "req-") {
    std::vector<std::string> requests;
    for (int i = 0; i < count; ++i)
        requests.push_back(prefix + std::to_string(i));
    return requests;
}

inline std::vector<std::string> expected_answers(const std::vector<std::string>& requests) {
    std::vector<std::string> answers;
    for (const std::string& request : requests)
        answers.push_back(SlowServer::answer_for(request));
    return answers;
}

// A port nothing listens on: bind an ephemeral port on 127.0.0.1, read it, close.
inline std::uint16_t unused_port() {
    aio::UniqueFd probe = aio::tcp_socket();
    sockaddr_in address = aio::loopback_address(0);
    if (::bind(probe.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        throw std::system_error(errno, std::generic_category(), "bind");
    socklen_t length = sizeof address;
    ::getsockname(probe.get(), reinterpret_cast<sockaddr*>(&address), &length);
    return ntohs(address.sin_port);
}

// Runs fetch on a helper thread and waits at most `limit`: a client that hangs
// fails with a message instead of running into the grader's time limit.
inline std::vector<std::string> call_within(std::chrono::seconds limit, const std::string& what,
                                            Client client, std::uint16_t port,
                                            const std::vector<std::string>& requests) {
    std::packaged_task<std::vector<std::string>()> task([=] { return client(port, requests); });
    std::future<std::vector<std::string>> result = task.get_future();
    std::thread runner(std::move(task));
    if (result.wait_for(limit) == std::future_status::timeout) {
        std::fprintf(stderr, "%s did not return within %lld s: it must not wait forever\n",
                     what.c_str(), static_cast<long long>(limit.count()));
        std::fflush(stderr);
        std::_Exit(1); // the stuck thread cannot be stopped; end the test process
    }
    runner.join();
    return result.get();
}

// `exercise` names the exercise a failure points at, in every message.
inline void expect_answers_in_order(Client client, const char* exercise) {
    SlowServer server({.delay = std::chrono::milliseconds(20)});
    EXPECT_TRUE(client(server.port(), {}).empty()) << exercise << ": no requests, no answers";
    std::vector<std::string> requests = {"alpha", "b", "req-2", "a longer request line", "5"};
    EXPECT_EQ(client(server.port(), requests), expected_answers(requests))
        << exercise << ": one answer per request, in request order, without the newline";
}

inline void expect_all_held_at_once(Client client, int count, const char* exercise) {
    // A long delay, so that even slow thread start-ups all land inside it.
    SlowServer server({.delay = std::chrono::milliseconds(1000)});
    std::vector<std::string> requests = numbered_requests(count);
    EXPECT_EQ(client(server.port(), requests), expected_answers(requests))
        << exercise << ": one answer per request, in request order";
    EXPECT_EQ(server.peak_concurrency(), count)
        << exercise << ": the server should hold all " << count << " requests at the same "
        << "time: send every request before waiting for any answer";
    EXPECT_EQ(server.requests_answered(), count) << exercise << ": every request answered once";
}

inline void expect_connect_error(Client client, const char* exercise) {
    std::uint16_t port = unused_port();
    try {
        client(port, numbered_requests(3));
        ADD_FAILURE() << exercise << ": nothing listens on port " << port << ": throw";
    } catch (const std::system_error& error) {
        EXPECT_NE(std::string(error.what()).find("connect"), std::string::npos)
            << exercise
            << ": name the failed call in a std::system_error, \"connect\"; got: " << error.what();
        EXPECT_EQ(error.code(), std::errc::connection_refused)
            << exercise
            << ": the error code must be the connect's own (ECONNREFUSED); got: " << error.what();
    }
}

inline void expect_closed_mid_answer_error(Client client, const char* what, const char* exercise) {
    SlowServer server({.delay = std::chrono::milliseconds(20), .close_mid_answer = true});
    try {
        call_within(std::chrono::seconds(5), what, client, server.port(), numbered_requests(3));
        ADD_FAILURE() << exercise << ": the server sent half an answer and hung up: throw";
    } catch (const aio::NotImplemented&) {
        throw;
    } catch (const aio::Error& error) {
        EXPECT_NE(std::string(error.what()).find("closed"), std::string::npos)
            << exercise << ": say what happened, with aio::closed_mid_answer(bytes, index); got: "
            << error.what();
    } catch (const std::exception& error) {
        ADD_FAILURE() << exercise
                      << ": recv() returning 0 is not a system error: throw an aio::Error "
                         "(aio::closed_mid_answer); got: "
                      << error.what();
    }
}

// A long line between two short ones: `mebibytes` MiB. From 6 MiB on, no single
// non-blocking send() takes the whole line (a loopback socket buffers ~4 MiB);
// from a few KiB on, no single recv() brings the whole answer.
inline void expect_long_line_whole(Client client, const char* what, int mebibytes,
                                   const char* exercise) {
    SlowServer server({.delay = std::chrono::milliseconds(10)});
    std::vector<std::string> requests = {"short", std::string(mebibytes << 20, 'x') + "!", "end"};
    std::vector<std::string> answers =
        call_within(std::chrono::seconds(static_cast<int>(5 * slowdown)),
                    std::string(what) + " with a " + std::to_string(mebibytes) +
                        " MiB line (was every byte of the request sent?)",
                    client, server.port(), requests);
    ASSERT_EQ(answers.size(), requests.size()) << exercise << ": one answer per request";
    for (std::size_t i = 0; i < requests.size(); ++i)
        EXPECT_TRUE(answers[i] == SlowServer::answer_for(requests[i]))
            << exercise << ": answer " << i << " has " << answers[i].size() << " bytes, expected "
            << requests[i].size() + 4 << ": keep sending until every byte is out and keep "
            << "receiving until the newline arrives";
}

// Runs body() while another thread sends SIGUSR1 to the calling thread every 5 ms,
// from 50 ms on (the connect and the send are over by then). The handler is installed
// without SA_RESTART, so a recv() or poll() that waits fails with EINTR.
extern "C" inline void looplab_ignore_signal(int) {}

template <class Body>
auto with_signals(Body body) {
    struct sigaction action {};
    struct sigaction previous {};
    action.sa_handler = looplab_ignore_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0; // no SA_RESTART: a waiting call fails with EINTR
    ::sigaction(SIGUSR1, &action, &previous);
    std::atomic<bool> running{true};
    pthread_t target = ::pthread_self();
    std::thread sender([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        while (running) {
            ::pthread_kill(target, SIGUSR1);
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    });
    auto stop = [&] {
        running = false;
        sender.join();
        ::sigaction(SIGUSR1, &previous, nullptr);
    };
    try {
        auto result = body();
        stop();
        return result;
    } catch (...) {
        stop();
        throw;
    }
}

} // namespace looplab
