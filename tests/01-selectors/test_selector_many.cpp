// Graded test, run on every backend: one select() returns EVERY ready fd, as
// Python's selectors do, however many there are (asyncio: EpollSelector.select
// sizes epoll_wait's buffer by the number of registered fds).
#include <cstdio>
#include <map>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "selector_fixture.hpp"
#include "selector_test_helpers.hpp"

using aio::EVENT_READ;
using aio::EVENT_WRITE;
using aio::ReadyEvent;
using looplab::BackendName;
using looplab::FdLimit;
using looplab::is_select;
using looplab::Selector;
using looplab::SelectorBackends;
using looplab::SocketPair;

TYPED_TEST_SUITE(Selector, SelectorBackends, BackendName);

namespace {

// 600 pairs: 1200 ready fds, more than FD_SETSIZE (1024) and far more than any
// fixed epoll buffer. select() cannot watch fd 1024 or above, so it gets the
// pairs that fit below FD_SETSIZE: 450 pairs, 900 fds.
constexpr std::size_t pairs_wanted(bool select_backend) {
    return select_backend ? 450 : 600;
}
constexpr rlim_t spare_fds = 64;          // stdin/out/err, gtest, the epoll fd, ...
constexpr std::size_t fewest_pairs = 100; // 200 fds: still more than 3 × 64

// How many pairs this process may open: pairs_wanted, or fewer when the hard
// fd limit is too low to raise the soft one that far (then it says so).
std::size_t pairs_allowed(const FdLimit& limit, std::size_t wanted) {
    rlim_t needed = 2 * wanted + spare_fds;
    if (limit.ok(needed)) return wanted;
    std::size_t fit = limit.soft() > spare_fds ? (limit.soft() - spare_fds) / 2 : 0;
    std::printf("RLIMIT_NOFILE allows %llu fds, below the %llu this test wants: "
                "checking %zu socket pairs instead of %zu\n",
                static_cast<unsigned long long>(limit.soft()),
                static_cast<unsigned long long>(needed), fit, wanted);
    return fit;
}

} // namespace

// Every left end is registered for reading and has a byte waiting; every right
// end is registered for writing and has room: 2 × pairs fds are ready at once.
TYPED_TEST(Selector, OneSelectReturnsEveryReadyFdHoweverMany) {
    // First a small case, which every backend must pass before the big one.
    SocketPair first;
    this->selector.register_fd(first.left(), EVENT_READ);
    first.send_to_left("x");
    ASSERT_EQ(this->look().size(), 1u)
        << this->ex() << ": one socket with a byte waiting is one ready fd";
    this->selector.unregister(first.left());

    const std::size_t wanted = pairs_wanted(is_select<TypeParam>);
    FdLimit limit(2 * wanted + spare_fds);
    const std::size_t pairs = pairs_allowed(limit, wanted);
    if (pairs < fewest_pairs)
        GTEST_SKIP() << "the fd limit is too low for " << fewest_pairs
                     << " socket pairs: raise `ulimit -n` and run this test again";

    std::vector<std::unique_ptr<SocketPair>> sockets;
    std::vector<int> marks(2 * pairs); // the data of fd i's registration: &marks[i]
    std::map<int, std::pair<unsigned, void*>> expected;
    for (std::size_t i = 0; i < pairs; ++i) {
        SocketPair& pair = *sockets.emplace_back(std::make_unique<SocketPair>());
        this->selector.register_fd(pair.left(), EVENT_READ, &marks[2 * i]);
        this->selector.register_fd(pair.right(), EVENT_WRITE, &marks[2 * i + 1]);
        pair.send_to_left("x");
        expected[pair.left()] = {EVENT_READ, &marks[2 * i]};
        expected[pair.right()] = {EVENT_WRITE, &marks[2 * i + 1]};
    }
    std::vector<ReadyEvent> events = this->look();
    EXPECT_EQ(events.size(), 2 * pairs)
        << this->ex() << ": " << 2 * pairs << " fds are ready, so ONE select() returns all "
        << 2 * pairs
        << " (epoll: size the buffer from the number of registered fds, size(), not a fixed "
           "count; the rest would only come on later calls)";
    std::map<int, std::pair<unsigned, void*>> got;
    for (const ReadyEvent& event : events)
        EXPECT_TRUE(got.emplace(event.fd, std::make_pair(event.events, event.data)).second)
            << this->ex() << ": fd " << event.fd << " came back twice in one select()";
    EXPECT_TRUE(got == expected)
        << this->ex() << ": every ready fd comes back once, with its own interest and data";
}
