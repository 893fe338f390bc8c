// Chapter 06, combinators: everything asyncio builds on top of Task to wait
// for many things at once, with deadlines, and in groups.
#pragma once

#include "gather.hpp"     // gather, gather_outcomes, Outcome
#include "shield.hpp"     // shield
#include "task_group.hpp" // TaskGroup, task_group, ExceptionGroup
#include "timeouts.hpp"   // timeout, timeout_at, wait_for
#include "wait.hpp"       // wait, ReturnWhen, WaitResult, as_completed, AsCompleted
