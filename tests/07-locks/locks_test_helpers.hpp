// Helpers for the chapter 07 tests: the virtual-clock loop, the log and the
// outcome of a task, shared with chapter 08 (tests/support/virtual_loop.hpp).
#pragma once

#include "locks.hpp"
#include "virtual_loop.hpp"
