// Chapter 13, debugging and observability: what asyncio's debug mode, its
// task call graphs and aiomonitor show a programmer, on the kit's loop.
#pragma once

#include "debug_mode.hpp"  // DebugMode
#include "lag_monitor.hpp" // LagMonitor
#include "monitor.hpp"     // Monitor, Stats, monitored
#include "percentiles.hpp" // percentile
#include "runner.hpp"      // run_interruptible, Interrupted
#include "signals.hpp"     // add_signal_handler, remove_signal_handler
#include "task_tree.hpp"   // all_tasks, task_infos, format_task_tree
#include "tracer.hpp"      // Tracer
