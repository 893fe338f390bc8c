// Graded test for the cost model: a wait allocates nothing once the backend's
// array or buffer fits the registrations; it grows (one allocation) only when they
// do (allocations counted by tests/support/count_allocations.hpp).
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "count_allocations.hpp"
#include "selector_fixture.hpp"
#include "selector_test_helpers.hpp"

using aio::EVENT_READ;
using looplab::BackendName;
using looplab::Pipe;
using looplab::Selector;
using looplab::SelectorBackends;

TYPED_TEST_SUITE(Selector, SelectorBackends, BackendName);

// 64 idle pipes, then 64 more: the first look after each batch may grow the
// backend's array (poll) or buffer (epoll) once; every other look allocates nothing.
TYPED_TEST(Selector, AWaitAllocatesNothingUntilTheRegistrationsGrow) {
#ifdef LOOPLAB_SANITIZED
    ASSERT_TRUE(hooks_installed) << "the sanitizer took no malloc hook: nothing is counted";
#endif
    std::size_t probe_before = allocations.load();
    auto probe = std::make_unique<int>(1); // the counter itself must see an allocation
    ASSERT_GT(allocations.load(), probe_before) << "the allocation counter does not count";

    std::vector<std::unique_ptr<Pipe>> pipes;
    for (int batch = 0; batch < 2; ++batch) {
        for (int i = 0; i < 64; ++i)
            this->selector.register_fd(pipes.emplace_back(std::make_unique<Pipe>())->read_end(),
                                       EVENT_READ);
        std::size_t before = allocations.load();
        EXPECT_TRUE(this->look().empty()) << this->ex() << ": idle pipes are never ready";
        EXPECT_LE(allocations.load() - before, 1u)
            << this->ex() << ": after 64 new registrations, one wait may grow the array or "
            << "buffer once (one allocation), no more";
        before = allocations.load();
        for (int i = 0; i < 50; ++i)
            EXPECT_TRUE(this->look().empty()) << this->ex() << ": idle pipes are never ready";
        EXPECT_EQ(allocations.load() - before, 0u)
            << this->ex() << ": 50 waits with the same registrations must allocate nothing: "
            << "reuse the array or buffer from call to call, grow it only when the "
            << "registrations outgrow it";
    }
}
