// The fixture of the selector tests: one suite, instantiated for every backend
// (select, poll, and epoll on Linux), so all of them are held to the same
// semantics. gtest names the tests Selector/<backend>.Name.
//
// It lives in a header, outside any anonymous namespace, because two files hold
// the suite's tests and gtest requires one fixture type per suite.
#pragma once

#include <chrono>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "poll_selector.hpp"
#include "select_selector.hpp"
#include "selector.hpp"
#ifdef __linux__
#include "epoll_selector.hpp"
#endif

namespace looplab {

// Names the instantiations Selector/select, Selector/poll, Selector/epoll.
struct BackendName {
    template <class T>
    static std::string GetName(int) {
        if constexpr (std::is_same_v<T, aio::SelectSelector>)
            return "select";
        else if constexpr (std::is_same_v<T, aio::PollSelector>)
            return "poll";
        else
            return "epoll";
    }
};

template <class Backend>
class Selector : public ::testing::Test {
protected:
    Backend selector;
    // A zero-timeout select: what is ready right now.
    std::vector<aio::ReadyEvent> look() { return selector.select(std::chrono::seconds(0)); }
    // The exercises a failure points at: this backend's wait, and where the backend
    // keeps its interest set ("ch01.select_interest, ch01.select_wait",
    // "ch01.poll_wait", "ch01.epoll_ctl, ch01.epoll_wait").
    static std::string ex() {
        if constexpr (std::is_same_v<Backend, aio::SelectSelector>)
            return "ch01.select_interest, ch01.select_wait";
        else if constexpr (std::is_same_v<Backend, aio::PollSelector>)
            return "ch01.poll_wait";
        else
            return "ch01.epoll_ctl, ch01.epoll_wait";
    }
    // The usual reason a select backend forgets an fd after one call.
    static std::string lost_interest() {
        return std::is_same_v<Backend, aio::SelectSelector>
                   ? " (the usual cause: interest sets not copied; ::select() overwrites its "
                     "fd_sets with the answer, so hand it copies of readers_ and writers_)"
                   : "";
    }
};

#ifdef __linux__
using SelectorBackends =
    ::testing::Types<aio::SelectSelector, aio::PollSelector, aio::EpollSelector>;
#else
using SelectorBackends = ::testing::Types<aio::SelectSelector, aio::PollSelector>;
#endif

template <class T>
inline constexpr bool is_select = std::is_same_v<T, aio::SelectSelector>;
#ifdef __linux__
template <class T>
inline constexpr bool is_epoll = std::is_same_v<T, aio::EpollSelector>;
#else
template <class T>
inline constexpr bool is_epoll = false;
#endif

} // namespace looplab
