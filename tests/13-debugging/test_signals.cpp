// Signals through the loop: a handler runs as a loop callback, never in signal
// context; every signal in the pipe is handled; remove and close give the
// signal its disposition back; run_interruptible turns Ctrl-C into a cancel.
#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <vector>

#include "debugging.hpp"
#include "virtual_loop.hpp"

using namespace looplab;

namespace {

// A shell starts a background job (`make test &`) with SIGINT and SIGQUIT
// ignored. These tests expect what a program started from a terminal has,
// the default dispositions, so they set them first, in every test process.
[[maybe_unused]] const bool started_with_default_dispositions = [] {
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGQUIT, SIG_DFL);
    return true;
}();

// The signal's disposition now: SIG_DFL, SIG_IGN or a handler.
void (*disposition(int signum))(int) {
    struct sigaction now {};
    ::sigaction(signum, nullptr, &now);
    return now.sa_handler;
}

// Runs the loop until `done` is true, at most `passes` iterations.
void run_until(aio::EventLoop& loop, const bool& done, int passes = 20) {
    for (int i = 0; i < passes && !done; ++i)
        loop.run_once();
}

// Sleeps ten seconds; on the cancel, notes it and lets it through.
aio::Coro<int> sleepy_main(bool& cleaned_up) {
    aio::get_running_loop().call_later(10ms, [] { std::raise(SIGINT); });
    try {
        co_await aio::sleep(10s);
    } catch (const aio::CancelledError&) {
        cleaned_up = true;
        throw;
    }
    co_return 1;
}

// Catches the cancel the SIGINT causes and returns 42 anyway.
aio::Coro<int> stubborn_main() {
    aio::get_running_loop().call_later(10ms, [] { std::raise(SIGINT); });
    try {
        co_await aio::sleep(10s);
    } catch (const aio::CancelledError&) {
        co_return 42;
    }
    co_return 1;
}

// Cancelled by itself only, or by a SIGINT and then by itself once more
// while it handles that cancel (two requests pending when it ends).
aio::Coro<int> cancelled_main(bool sigint_too) {
    aio::TaskBase* self = aio::current_task();
    if (!sigint_too) {
        self->cancel("from inside");
        co_await aio::sleep(10s);
        co_return 1;
    }
    aio::get_running_loop().call_later(10ms, [] { std::raise(SIGINT); });
    try {
        co_await aio::sleep(10s);
    } catch (const aio::CancelledError&) {
        self->cancel("again");
    }
    co_await aio::sleep(0s); // the second request lands here
    co_return 1;
}

} // namespace

TEST(Signals, AHandlerRunsAsALoopCallbackNotInSignalContext) {
    aio::EventLoop loop;
    std::vector<std::string> log;
    bool done = false;
    aio::add_signal_handler(loop, SIGUSR1, [&] {
        log.push_back(aio::detail::running_loop() == &loop ? "handler on the loop"
                                                           : "handler off the loop");
        done = true;
    });
    loop.call_soon([&] {
        std::raise(SIGUSR1);
        log.push_back("after raise");
    });
    run_until(loop, done);
    EXPECT_EQ(joined(log), "after raise, handler on the loop")
        << "ch13.signal_dispatch: the handler runs later, as a callback of the running loop, "
           "never inside the signal (ch13.signal_add routes the signal to the pipe)";
}

TEST(Signals, EverySignalInThePipeIsHandledInOnePass) {
    aio::EventLoop loop;
    std::vector<std::string> log;
    aio::add_signal_handler(loop, SIGUSR1, [&] { log.push_back("USR1"); });
    aio::add_signal_handler(loop, SIGUSR2, [&] { log.push_back("USR2"); });
    std::raise(SIGUSR1);
    std::raise(SIGUSR2);
    std::raise(SIGUSR1);
    loop.run_once(); // reads the pipe, schedules the handlers
    loop.run_once(); // runs them
    EXPECT_EQ(joined(log), "USR1, USR2, USR1")
        << "ch13.signal_dispatch: the pipe is read until it is empty, each signal's handler "
           "scheduled once per signal, in the order the signals came";
}

TEST(Signals, ASecondAddReplacesTheHandler) {
    aio::EventLoop loop;
    std::vector<std::string> log;
    bool done = false;
    aio::add_signal_handler(loop, SIGUSR1, [&] { log.push_back("first"); });
    aio::add_signal_handler(loop, SIGUSR1, [&] {
        log.push_back("second");
        done = true;
    });
    std::raise(SIGUSR1);
    run_until(loop, done);
    EXPECT_EQ(joined(log), "second") << "ch13.signal_add: the second handler replaces the first";
}

TEST(Signals, RemoveGivesBackTheDispositionFromBeforeTheFirstAdd) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction saved {};
    ::sigaction(SIGUSR2, &ignore, &saved);
    {
        aio::EventLoop loop;
        aio::add_signal_handler(loop, SIGUSR2, [] {});
        aio::add_signal_handler(loop, SIGUSR2, [] {});
        EXPECT_TRUE(aio::remove_signal_handler(loop, SIGUSR2))
            << "ch13.signal_remove: a signal with a handler: true";
        EXPECT_EQ(disposition(SIGUSR2), SIG_IGN)
            << "ch13.signal_remove: after remove, SIGUSR2 is ignored again, as before the first "
               "add (ch13.signal_add keeps the disposition the FIRST add found)";
        EXPECT_FALSE(aio::remove_signal_handler(loop, SIGUSR2))
            << "ch13.signal_remove: no handler left: false";
    }
    ::sigaction(SIGUSR2, &saved, nullptr);
}

TEST(Signals, ASignalWhoseHandlerWasRemovedSinceIsDropped) {
    aio::EventLoop loop;
    int reports = 0;
    loop.set_exception_handler([&](aio::EventLoop&, const aio::ExceptionContext&) { ++reports; });
    bool ran = false;
    aio::add_signal_handler(loop, SIGUSR1, [&] { ran = true; });
    std::raise(SIGUSR1); // its number waits in the pipe
    EXPECT_TRUE(aio::remove_signal_handler(loop, SIGUSR1))
        << "ch13.signal_remove: a signal with a handler: true";
    for (int i = 0; i < 3; ++i) {
        loop.call_soon([] {}); // run_once must not block once the pipe is empty
        loop.run_once();
    }
    EXPECT_FALSE(ran) << "ch13.signal_remove: a removed handler never runs";
    EXPECT_EQ(reports, 0)
        << "ch13.signal_dispatch: a number in the pipe with no handler any more is dropped "
           "quietly, nothing scheduled, nothing reported";
}

TEST(Signals, CloseGivesEverySignalItsDispositionBack) {
    aio::EventLoop loop;
    aio::add_signal_handler(loop, SIGUSR1, [] {});
    EXPECT_NE(disposition(SIGUSR1), SIG_DFL) << "ch13.signal_add: SIGUSR1 is routed to the pipe";
    loop.close();
    EXPECT_EQ(disposition(SIGUSR1), SIG_DFL)
        << "ch13.signal_add: closing the loop restores what the first add found";
    EXPECT_THROW(aio::add_signal_handler(loop, SIGUSR1, [] {}), aio::RuntimeError)
        << "add_signal_handler (given): a closed loop refuses";
}

TEST(Signals, OneLoopPerProcessHandlesSignals) {
    auto first = std::make_unique<aio::EventLoop>();
    aio::EventLoop second;
    aio::add_signal_handler(*first, SIGUSR1, [] {});
    EXPECT_THROW(aio::add_signal_handler(second, SIGUSR2, [] {}), aio::RuntimeError)
        << "add_signal_handler (given): a process has one set of signal dispositions, so one "
           "loop handles signals at a time";
    first.reset();
    EXPECT_NO_THROW(aio::add_signal_handler(second, SIGUSR2, [] {}))
        << "add_signal_handler (given): once the first loop is gone, another may take over";
}

TEST(Signals, SignalsThatCannotBeCaughtAreValueErrors) {
    aio::EventLoop loop;
    EXPECT_THROW(aio::add_signal_handler(loop, SIGKILL, [] {}), aio::ValueError)
        << "add_signal_handler (given): SIGKILL cannot be caught";
    EXPECT_THROW(aio::add_signal_handler(loop, SIGSTOP, [] {}), aio::ValueError)
        << "add_signal_handler (given): SIGSTOP cannot be caught";
    EXPECT_THROW(aio::add_signal_handler(loop, 0, [] {}), aio::ValueError)
        << "add_signal_handler (given): 0 is no signal";
    EXPECT_THROW(aio::add_signal_handler(loop, NSIG, [] {}), aio::ValueError)
        << "add_signal_handler (given): NSIG is out of range";
    EXPECT_THROW(aio::remove_signal_handler(loop, SIGKILL), aio::ValueError)
        << "remove_signal_handler (given): SIGKILL is refused too";
}

TEST(Runner, ASigintCancelsMainWhichCleansUpThenInterrupted) {
    bool cleaned_up = false;
    try {
        aio::run_interruptible(sleepy_main(cleaned_up));
        ADD_FAILURE() << "ch13.run_interrupt: a run cancelled by SIGINT must not return";
    } catch (const aio::Interrupted&) {
    } catch (const aio::CancelledError&) {
        ADD_FAILURE() << "ch13.run_interrupt: the cancel SIGINT asked for leaves as Interrupted, "
                         "not as a CancelledError (ch13.on_sigint counts the SIGINT; "
                         "ch13.run_interruptible lets the catcher's finish decide)";
    }
    EXPECT_TRUE(cleaned_up)
        << "ch13.on_sigint: the SIGINT cancels the main task, which sees a CancelledError";
    EXPECT_EQ(disposition(SIGINT), SIG_DFL) << "run_interruptible (given): SIGINT is given back";
}

TEST(Runner, AMainThatSwallowsTheCancelGivesItsValue) {
    EXPECT_EQ(aio::run_interruptible(stubborn_main()), 42)
        << "ch13.on_sigint: the SIGINT cancels main; main caught the cancel and returned 42, "
           "which run_interruptible returns (asyncio.Runner does the same)";
}

TEST(Runner, ACancelThatIsNotFromSigintStaysACancelledError) {
    bool got_cancelled = false;
    try {
        aio::run_interruptible(cancelled_main(false));
    } catch (const aio::CancelledError&) {
        got_cancelled = true;
    } catch (const aio::Interrupted&) {
    }
    EXPECT_TRUE(got_cancelled)
        << "ch13.run_interrupt: no SIGINT came: main's own cancel leaves as a CancelledError";
}

TEST(Runner, ASigintAndAnotherCancelTogetherStayACancelledError) {
    bool got_cancelled = false;
    try {
        aio::run_interruptible(cancelled_main(true));
    } catch (const aio::CancelledError&) {
        got_cancelled = true;
    } catch (const aio::Interrupted&) {
    }
    EXPECT_TRUE(got_cancelled)
        << "ch13.run_interrupt: main was cancelled twice, by SIGINT and by itself; withdrawing "
           "the SIGINT's request leaves one: the CancelledError is not only ours and stays one "
           "(asyncio.Runner: uncancel() must reach 0)";
}

TEST(Runner, WithoutASigintItIsRunAndGivesSigintBack) {
    auto answer = []() -> aio::Coro<int> {
        co_await aio::sleep(1ms);
        co_return 7;
    };
    EXPECT_EQ(aio::run_interruptible(answer()), 7)
        << "ch13.run_interruptible: main's value, as run() gives it";
    EXPECT_EQ(disposition(SIGINT), SIG_DFL)
        << "ch13.run_interruptible: after the run SIGINT has its default disposition again";
}

TEST(Runner, LooplabDumpPrintsTheTaskTreeOnSigquit) {
    ::setenv("LOOPLAB_DUMP", "1", 1);
    auto main = []() -> aio::Coro<int> {
        aio::get_running_loop().call_later(5ms, [] { std::raise(SIGQUIT); });
        co_await aio::sleep(50ms);
        co_return 3;
    };
    testing::internal::CaptureStderr();
    const int result = aio::run_interruptible(main());
    const std::string printed = testing::internal::GetCapturedStderr();
    ::unsetenv("LOOPLAB_DUMP");
    EXPECT_EQ(result, 3) << "ch13.run_interruptible: a SIGQUIT dump does not stop the program";
    EXPECT_NE(printed.find("looplab: the task tree"), std::string::npos)
        << "ch13.sigquit_dump: with LOOPLAB_DUMP=1, SIGQUIT prints the task tree to stderr\n"
        << printed;
    EXPECT_NE(printed.find("[WAITING]"), std::string::npos)
        << "ch13.format_tree: the tree shows the main task, waiting in its sleep\n"
        << printed;
    EXPECT_EQ(disposition(SIGQUIT), SIG_DFL)
        << "run_interruptible (given): SIGQUIT has its default disposition again after the run";
}

TEST(Runner, LeftoverTasksAreCancelledBeforeTheRunEnds) {
    bool child_cancelled = false;
    auto child = [](bool& cancelled) -> aio::Coro<void> {
        try {
            co_await aio::sleep(10s);
        } catch (const aio::CancelledError&) {
            cancelled = true;
            throw;
        }
    };
    auto main = [&]() -> aio::Coro<int> {
        (void)aio::create_task(child(child_cancelled), "child");
        co_await aio::sleep(1ms);
        co_return 5;
    };
    EXPECT_EQ(aio::run_interruptible(main()), 5) << "ch13.run_interruptible: main's value";
    EXPECT_TRUE(child_cancelled)
        << "ch13.run_interruptible: a task still pending when main returns is cancelled, and "
           "runs its clean-up, before the loop closes (run()'s cancel_all_tasks)";
}
