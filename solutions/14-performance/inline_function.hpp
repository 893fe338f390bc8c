// A move-only callable that keeps small targets in its own buffer: the fast
// loop's Callback (asyncio's Handle holds its callback in the handle itself).
#pragma once

#include <cstddef>

namespace aio {
// Declared before aio_base.hpp is read: that header ends with callback.hpp,
// which names InlineFunction<void()>.
template <class Signature, std::size_t Inline = 48>
class InlineFunction;
} // namespace aio

#include <cstring>
#include <functional>
#include <new>
#include <type_traits>
#include <utility>

#include "aio_base.hpp"

namespace aio {

namespace detail {
// A target lives in the buffer when it fits and its move cannot throw: moving
// an InlineFunction (the ready queue does it twice per callback) is noexcept.
template <class T, std::size_t Inline>
inline constexpr bool fits_inline =
    sizeof(T) <= Inline &&
    alignof(T) <= alignof(std::max_align_t) && std::is_nothrow_move_constructible_v<T>;

template <class T>
struct is_std_function : std::false_type {};
template <class S>
struct is_std_function<std::function<S>> : std::true_type {};

// What std::function treats as "no target": a null function pointer, a null
// member pointer, an empty std::function. `Callback cb = empty_fn;` stays
// empty, so call_soon still refuses it with ValueError.
template <class T>
bool is_null_target([[maybe_unused]] const T& target) noexcept {
    //@exercise ch14.null_target  Say whether std::function would hold no target if made from this.
    //@stub return false; // everything counts as a target: a null pointer is then called
    if constexpr (std::is_pointer_v<T> || std::is_member_pointer_v<T>)
        return target == nullptr;
    else if constexpr (is_std_function<T>::value)
        return !target;
    else
        return false;
    //@end
}
} // namespace detail

// InlineFunction<R(Args...), Inline>: what std::function<R(Args...)> does, for
// move-only targets too, without an allocation when the target fits Inline
// bytes (std::function's buffer holds 16). 48 bytes hold a lambda that
// captures six pointers, or a shared_ptr and a std::function; with the two
// pointers below, one object is one 64-byte cache line. Larger targets, and
// targets whose move may throw, go to the heap. Calling an empty one throws
// std::bad_function_call, as std::function does.
template <class R, class... Args, std::size_t Inline>
class InlineFunction<R(Args...), Inline> {
public:
    InlineFunction() noexcept = default;
    InlineFunction(std::nullptr_t) noexcept {}

    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, InlineFunction> &&
             std::is_invocable_r_v<R, std::decay_t<F>&, Args...>) InlineFunction(F&& target) {
        if (detail::is_null_target(target)) return;
        //@exercise ch14.inline_function  Store the target in the buffer if it may live there, else on the heap.
        using T = std::decay_t<F>;
        if constexpr (detail::fits_inline<T, Inline>) {
            ::new (static_cast<void*>(buffer_)) T(std::forward<F>(target));
            call_ = &call_inline<T>;
            manage_ = manager_for_inline<T>();
        } else {
            ::new (static_cast<void*>(buffer_)) T*(new T(std::forward<F>(target)));
            call_ = &call_heap<T>;
            manage_ = &manage_heap<T>;
        }
        //@end
    }

    InlineFunction(InlineFunction&& other) noexcept { take(other); }
    InlineFunction& operator=(InlineFunction&& other) noexcept {
        //@exercise ch14.inline_assign  End this one's target, then take other's; moving one onto itself changes nothing.
        //@stub aio::detail::not_implemented_abort("ch14.inline_assign");
        if (this != &other) {
            reset();
            take(other);
        }
        //@end
        return *this;
    }
    InlineFunction& operator=(std::nullptr_t) noexcept {
        reset();
        return *this;
    }
    template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, InlineFunction>) InlineFunction&
    operator=(F&& target) {
        InlineFunction(std::forward<F>(target)).swap(*this);
        return *this;
    }
    InlineFunction(const InlineFunction&) = delete; // move-only: targets need not copy
    InlineFunction& operator=(const InlineFunction&) = delete;
    ~InlineFunction() { reset(); }

    // The ready queue swaps each callback into its ring and out again: for two
    // plain-bytes (or empty) sides that is a swap of bytes, as cheap as
    // std::function's swap of its pointers; any other pair takes three moves.
    void swap(InlineFunction& other) noexcept {
        //@exercise ch14.inline_swap  Swap the two targets: their bytes when neither owns anything, else by moves.
        //@stub aio::detail::not_implemented_abort("ch14.inline_swap");
        if (manage_ != nullptr || other.manage_ != nullptr) [[unlikely]]
            return swap_by_moves(other);
        std::byte held[Inline];
        std::memcpy(held, buffer_, Inline);
        std::memcpy(buffer_, other.buffer_, Inline);
        std::memcpy(other.buffer_, held, Inline);
        std::swap(call_, other.call_);
        //@end
    }

    explicit operator bool() const noexcept { return call_ != nullptr; }

    // True when the target is plain bytes kept in the buffer: a move copies
    // them and nothing needs destroying, so neither calls through a pointer.
    bool moves_by_copying_bytes() const noexcept { return call_ != nullptr && manage_ == nullptr; }
    friend bool operator==(const InlineFunction& f, std::nullptr_t) noexcept { return !f; }

    // const, as std::function's: the target itself may change (a mutable lambda).
    R operator()(Args... args) const {
        //@exercise ch14.inline_call  Call the target through the pointer that knows where it lives; none: bad_function_call.
        //@stub aio::detail::not_implemented_abort("ch14.inline_call");
        if (call_ == nullptr) throw std::bad_function_call();
        return call_(const_cast<std::byte*>(buffer_), std::forward<Args>(args)...);
        //@end
    }

private:
    enum class Op { relocate, destroy };
    using Call = R (*)(void* buffer, Args&&... args);
    // relocate: move the target from `buffer` into `to` and end it in `buffer`.
    using Manage = void (*)(Op op, void* buffer, void* to) noexcept;

    template <class T>
    static T& inline_target(void* buffer) noexcept {
        return *std::launder(static_cast<T*>(buffer));
    }
    template <class T>
    static T& heap_target(void* buffer) noexcept {
        return **std::launder(static_cast<T**>(buffer));
    }
    template <class T>
    static R call_inline(void* buffer, Args&&... args) {
        return std::invoke(inline_target<T>(buffer), std::forward<Args>(args)...);
    }
    template <class T>
    static R call_heap(void* buffer, Args&&... args) {
        return std::invoke(heap_target<T>(buffer), std::forward<Args>(args)...);
    }

    // Moving an inline target moves the object; moving a heap target moves
    // only the pointer that the buffer holds.
    template <class T>
    static void manage_inline(Op op, void* buffer, void* to) noexcept {
        //@exercise ch14.inline_move  Relocate an inline target into `to` (the source ends), or destroy it.
        //@stub aio::detail::not_implemented_abort("ch14.inline_move");
        T& target = inline_target<T>(buffer);
        if (op == Op::relocate) ::new (to) T(std::move(target));
        target.~T();
        //@end
    }
    template <class T>
    static void manage_heap(Op op, void* buffer, void* to) noexcept {
        T* target = &heap_target<T>(buffer);
        if (op == Op::relocate)
            ::new (to) T*(target);
        else
            delete target;
    }

    // What moves and destroys an inline target: nothing at all for a target
    // that is plain bytes (trivially copyable: a lambda capturing pointers and
    // numbers), whose move is a copy of the buffer and whose end does nothing.
    // libstdc++'s std::function skips its manager the same way for such a
    // target. The loop moves each callback in and out of its ring: for the
    // usual callback that is then a copy, not two calls through a pointer.
    template <class T>
    static Manage manager_for_inline() noexcept {
        //@exercise ch14.plain_bytes  Say how to move and end an inline T: no manager if it is plain bytes.
        //@stub return &manage_inline<T>;
        if constexpr (std::is_trivially_copyable_v<T>)
            return nullptr;
        else
            return &manage_inline<T>;
        //@end
    }

    // swap's path for a side that owns something: out of line, so that the
    // usual swap of bytes is inlined where the ready queue calls it.
    [[gnu::noinline]] void swap_by_moves(InlineFunction& other) noexcept {
        InlineFunction held(std::move(other));
        other = std::move(*this);
        *this = std::move(held);
    }

    // Takes other's target, wherever it lives; other is left empty. The one
    // place a target changes buffers: a target with no manager is plain bytes
    // (see manager_for_inline), moved by copying the whole buffer.
    void take(InlineFunction& other) noexcept {
        //@exercise ch14.inline_take  Relocate other's target (if any) into this buffer; leave other empty.
        //@stub aio::detail::not_implemented_abort("ch14.inline_take");
        if (other.call_ == nullptr) return;
        if (other.manage_ == nullptr)
            std::memcpy(buffer_, other.buffer_, Inline);
        else
            other.manage_(Op::relocate, other.buffer_, buffer_);
        call_ = std::exchange(other.call_, nullptr);
        manage_ = std::exchange(other.manage_, nullptr);
        //@end
    }
    void reset() noexcept {
        if (call_ == nullptr) return;
        if (manage_ != nullptr)
            manage_(Op::destroy, buffer_, nullptr); // plain bytes: nothing to end
        call_ = nullptr;
        manage_ = nullptr;
    }

    alignas(std::max_align_t) std::byte buffer_[Inline];
    Call call_ = nullptr; // null: empty
    Manage manage_ = nullptr;
};

} // namespace aio
