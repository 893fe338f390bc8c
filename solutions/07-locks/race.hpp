// The race that needs no threads: tasks that read a shared counter, await
// something, then write it back lose each other's updates. A Lock around the
// read-await-write keeps every one (the chapter's opening example).
#pragma once

#include "locks.hpp"

namespace aio {

// `rounds` times: read the counter, give the loop a turn (sleep(0s)), write
// back what was read plus one. An update made by another task during the turn
// is overwritten: a lost update.
Coro<void> add_unsafely(int& counter, int rounds);

// The same read, turn, write, each round inside the lock.
Coro<void> add_under_lock(int& counter, Lock& lock, int rounds);

// `tasks` tasks of one kind above, all on a new loop (aio::run); the final
// count. Every update kept gives tasks * rounds.
int count_updates(int tasks, int rounds, bool use_lock);

} // namespace aio
