// Graded test for the cost model: a wait allocates nothing once the backend's
// array or buffer fits the registrations; it grows (one allocation) only when they
// do. It counts allocations by replacing the global operator new, for this test
// binary only; under ASan or TSan, whose runtimes own operator new, it counts
// through the sanitizer's malloc hook instead (as chapter 02's allocation test).
#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#include <gtest/gtest.h>

#include "selector_fixture.hpp"
#include "selector_test_helpers.hpp"

using aio::EVENT_READ;
using looplab::BackendName;
using looplab::Pipe;
using looplab::Selector;
using looplab::SelectorBackends;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LOOPLAB_SANITIZER_OWNS_NEW 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define LOOPLAB_SANITIZER_OWNS_NEW 1
#endif
#endif

namespace {
std::atomic<std::size_t> allocations{0};
} // namespace

#ifdef LOOPLAB_SANITIZER_OWNS_NEW
// From the sanitizers' allocator interface (sanitizer/allocator_interface.h, which
// clang ships and g++ does not): the hooks run on every malloc and free.
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*,
                                                                             std::size_t),
                                                         void (*free_hook)(const volatile void*));

namespace {
void count_malloc(const volatile void*, std::size_t) {
    allocations.fetch_add(1, std::memory_order_relaxed);
}
void ignore_free(const volatile void*) {}
const bool hooks_installed = __sanitizer_install_malloc_and_free_hooks(count_malloc, ignore_free);
} // namespace
#else
namespace {
void* counted_malloc(std::size_t size) noexcept {
    allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size == 0 ? 1 : size);
}
} // namespace

// Every plain form, so that each new is paired with a delete that frees with free()
// (sanitizers check the pairing); the aligned forms stay the library's own.
void* operator new(std::size_t size) {
    if (void* block = counted_malloc(size)) return block;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
    return operator new(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return counted_malloc(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return counted_malloc(size);
}
void operator delete(void* block) noexcept {
    std::free(block);
}
void operator delete[](void* block) noexcept {
    std::free(block);
}
void operator delete(void* block, std::size_t) noexcept {
    std::free(block);
}
void operator delete[](void* block, std::size_t) noexcept {
    std::free(block);
}
void operator delete(void* block, const std::nothrow_t&) noexcept {
    std::free(block);
}
void operator delete[](void* block, const std::nothrow_t&) noexcept {
    std::free(block);
}
#endif

TYPED_TEST_SUITE(Selector, SelectorBackends, BackendName);

// 64 idle pipes, then 64 more: the first look after each batch may grow the
// backend's array (poll) or buffer (epoll) once; every other look allocates nothing.
TYPED_TEST(Selector, AWaitAllocatesNothingUntilTheRegistrationsGrow) {
#ifdef LOOPLAB_SANITIZER_OWNS_NEW
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
