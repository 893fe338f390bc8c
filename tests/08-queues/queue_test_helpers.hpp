// Helpers for the chapter 08 tests: the virtual-clock loop, the log and the
// outcome of a task, shared with chapter 07 (tests/support/virtual_loop.hpp).
#pragma once

#include "queues.hpp"
#include "virtual_loop.hpp"
