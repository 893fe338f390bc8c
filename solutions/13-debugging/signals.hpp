// Signals through the loop (asyncio: loop.add_signal_handler): a handler runs
// as an ordinary callback on the loop's thread, never in signal context, where
// almost nothing is safe to call. The kit's signal handler only writes the
// signal's number to a pipe the loop watches (the self-pipe trick; asyncio
// uses signal.set_wakeup_fd the same way).
#pragma once

#include <csignal>
#include <map>
#include <memory>

#include "event_loop.hpp"

namespace aio {

// The handler runs with call_soon after the signal arrives; a second
// add_signal_handler for the same signal replaces the first. ValueError for a
// signal that cannot be caught (SIGKILL, SIGSTOP) or is out of range;
// RuntimeError when another loop of this process handles signals already (a
// process has one set of signal dispositions) or the loop is closed.
void add_signal_handler(EventLoop& loop, int signum, Callback handler);

// The default disposition comes back. False if the signal had no handler.
bool remove_signal_handler(EventLoop& loop, int signum);

namespace detail {

// The loop's side of the self-pipe: a loop extension, so the loop's close()
// removes every handler and restores the signals' previous dispositions.
class SignalWatcher {
public:
    explicit SignalWatcher(EventLoop& loop);
    ~SignalWatcher();
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

    void add(int signum, Callback handler);
    bool remove(int signum);

private:
    void claim_process(); // become the target of this process's signals, or RuntimeError
    void on_readable();   // the pipe has signal numbers: schedule their handlers

    EventLoop& loop_;
    int read_fd_ = -1;
    int write_fd_ = -1;
    // Shared: every signal schedules a call of the same handler, and a
    // Callback need not be copyable (chapter 14's fast one is move-only).
    std::map<int, std::shared_ptr<Callback>> handlers_;
    std::map<int, struct sigaction> previous_; // restored by remove and at close
};

} // namespace detail

} // namespace aio
