// What the loop runs: a callable that takes nothing and returns nothing
// (asyncio: the callback a Handle holds).
#pragma once

#include <functional>

namespace aio {

// std::function to start with: one allocation at most per callback (none when
// the captures fit its small buffer). Chapter 14's fast loop replaces this one
// file with a move-only callable that keeps larger captures inline.
using Callback = std::function<void()>;

} // namespace aio
