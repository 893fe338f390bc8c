// What the fast loop runs: chapter 00's Callback, replaced (asyncio: the
// callback a Handle holds; uvloop keeps it in the handle object as well).
#pragma once

#include "inline_function.hpp"

namespace aio {

// A move-only callable with a 48-byte buffer instead of std::function: no
// allocation for the captures a loop callback has (a few pointers, a
// shared_ptr, a nested callback). The only file of chapter 00 the fast loop
// shadows: every chapter that names Callback gets this one under LOOP=fast.
using Callback = InlineFunction<void()>;

} // namespace aio
