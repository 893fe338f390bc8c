// Counts the test binary's heap allocations, for the graded tests of a cost
// model (chapter 01: a wait allocates nothing; chapter 02: one allocation per
// push). It replaces the global operator new for the binary that includes it,
// so include it from exactly ONE source file of a test binary. Under ASan or
// TSan, whose runtimes own operator new (clang links theirs in whole, so a
// second definition does not link), it counts through the sanitizer's malloc
// hook instead; `hooks_installed` then says whether the hook took.
#pragma once

#include <atomic>
#include <cstdlib>
#include <new>

#include "timing.hpp" // LOOPLAB_SANITIZED: a sanitizer owns operator new

namespace {
std::atomic<std::size_t> allocations{0};
} // namespace

#ifdef LOOPLAB_SANITIZED
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
