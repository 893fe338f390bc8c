// The circuit breaker's three states on the virtual clock: opening after a
// run of failures, failing fast with the time left, half-open probes, late
// outcomes ignored, cancelled calls counting as nothing.
#include <gtest/gtest.h>

#include <optional>

#include "resilience_test_helpers.hpp"

using namespace looplab;
using aio::CircuitBreaker;
using aio::Coro;
using State = aio::CircuitBreaker::State;

namespace {

CircuitBreaker::Options options(int threshold, aio::Duration reset = 30s, int probes = 1) {
    CircuitBreaker::Options o;
    o.failure_threshold = threshold;
    o.reset_timeout = reset;
    o.half_open_max = probes;
    return o;
}

// One call through the breaker, as a task; its outcome read later.
struct Caller {
    VirtualLoop& v;
    CircuitBreaker& breaker;
    int calls = 0; // how many times the service itself was called

    Coro<int> service(bool fail, aio::Duration latency) {
        ++calls;
        if (latency > aio::Duration::zero()) co_await aio::sleep(latency);
        if (fail) throw aio::ConnectionRefusedError("service down");
        co_return 1;
    }
    aio::Task<int> call(bool fail, aio::Duration latency = {}) {
        auto fn = [this, fail, latency] { return service(fail, latency); };
        return aio::create_task(v.loop, breaker.call(fn));
    }
    // Runs one call to its end (the loop settles 1 ms) and says how it ended.
    std::string once(bool fail) {
        auto task = call(fail);
        v.settle(1ms);
        return outcome_of(task);
    }
};

// retry_after of the CircuitOpenError a finished task holds, in ms (-1: none).
long retry_after_ms(const aio::Future<int>& task) {
    try {
        task.result();
    } catch (const aio::CircuitOpenError& error) {
        return static_cast<long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(error.retry_after).count());
    } catch (...) {
    }
    return -1;
}

} // namespace

TEST(CircuitBreaker, BadOptionsAreValueErrors) {
    EXPECT_THROW(CircuitBreaker(options(0)), aio::ValueError)
        << "ch12.breaker_options: a failure_threshold below 1: ValueError";
    EXPECT_THROW(CircuitBreaker(options(1, 1s, 0)), aio::ValueError)
        << "ch12.breaker_options: half_open_max below 1 (no probe could ever go): ValueError";
    EXPECT_THROW(CircuitBreaker(options(1, -1s)), aio::ValueError)
        << "ch12.breaker_options: a negative reset_timeout: ValueError";
    EXPECT_NO_THROW(CircuitBreaker(options(1, 0s, 1)))
        << "ch12.breaker_options: threshold 1, reset_timeout 0, one probe: fine";
}

TEST(CircuitBreaker, OpensAfterThresholdConsecutiveFailures) {
    VirtualLoop v;
    CircuitBreaker breaker(options(3));
    Caller caller{v, breaker};
    EXPECT_EQ(caller.once(true), "service down") << "ch12.breaker_record: failure 1 comes out";
    EXPECT_EQ(caller.once(true), "service down") << "ch12.breaker_record: failure 2 comes out";
    EXPECT_EQ(breaker.failures(), 2) << "ch12.breaker_record: two failures in a row counted";
    EXPECT_EQ(breaker.state(), State::CLOSED) << "ch12.breaker_record: below the threshold";
    EXPECT_EQ(caller.once(true), "service down")
        << "ch12.breaker_record: the call that reaches the threshold fails with its own error";
    EXPECT_EQ(breaker.state(), State::OPEN) << "ch12.breaker_record: 3 failures in a row open it";
}

TEST(CircuitBreaker, WhileOpenEveryCallFailsFastWithTheTimeLeft) {
    VirtualLoop v;
    CircuitBreaker breaker(options(3));
    Caller caller{v, breaker};
    for (int i = 0; i < 3; ++i)
        caller.once(true); // the third opens it, at 2 ms
    auto fast = caller.call(false);
    v.settle(1ms);
    EXPECT_EQ(caller.calls, 3) << "ch12.breaker_admit: while OPEN the service is not called";
    EXPECT_EQ(retry_after_ms(fast), 30000 - 1)
        << "ch12.breaker_admit: CircuitOpenError says how long until a probe may go "
           "(opened at 2 ms, reset_timeout 30 s, now 3 ms)";
}

TEST(CircuitBreaker, ASuccessResetsTheCount) {
    VirtualLoop v;
    CircuitBreaker breaker(options(3));
    Caller caller{v, breaker};
    for (bool fail : {true, true, false, true, true})
        caller.once(fail);
    EXPECT_EQ(breaker.state(), State::CLOSED)
        << "ch12.breaker_record: only CONSECUTIVE failures count: a success in between resets";
    EXPECT_EQ(breaker.failures(), 2) << "ch12.breaker_record: two failures since the success";
}

TEST(CircuitBreaker, TheFirstCallAfterTheResetTimeoutIsAProbeThatCloses) {
    VirtualLoop v;
    CircuitBreaker breaker(options(1));
    Caller caller{v, breaker};
    caller.once(true); // opens at 0 ms
    v.settle(10s - 1ms);
    auto early = caller.call(false);
    v.settle(20s); // now exactly 30 s after the opening
    EXPECT_EQ(retry_after_ms(early), 20000) << "ch12.breaker_admit: 10 s in, 20 s are left";
    EXPECT_EQ(breaker.state(), State::OPEN)
        << "ch12.breaker_admit: state() reads OPEN until a call comes after reset_timeout";
    auto probe = caller.call(false, 1s);
    v.settle(1ms);
    EXPECT_EQ(breaker.state(), State::HALF_OPEN)
        << "ch12.breaker_admit: a call once reset_timeout has passed (at exactly 30 s) makes it "
           "HALF_OPEN";
    v.settle(2s);
    EXPECT_EQ(outcome_of(probe), "ok") << "ch12.breaker_admit: the probe went to the service";
    EXPECT_EQ(breaker.state(), State::CLOSED) << "ch12.breaker_record: a probe's success closes";
    EXPECT_EQ(breaker.failures(), 0) << "ch12.breaker_record: closed with a fresh count";
}

TEST(CircuitBreaker, AFailedProbeReopensWithAFreshTimer) {
    VirtualLoop v;
    CircuitBreaker breaker(options(1));
    Caller caller{v, breaker};
    caller.once(true);
    v.settle(30s);
    EXPECT_EQ(caller.once(true), "service down") << "ch12.breaker_admit: the probe is called";
    EXPECT_EQ(breaker.state(), State::OPEN) << "ch12.breaker_record: a failed probe re-opens";
    auto fast = caller.call(false);
    v.settle(1ms);
    EXPECT_EQ(retry_after_ms(fast), 30000 - 1)
        << "ch12.breaker_record: re-opened with a FRESH reset_timeout, from the probe's failure";
}

TEST(CircuitBreaker, HalfOpenLetsOnlyHalfOpenMaxProbesThrough) {
    VirtualLoop v;
    CircuitBreaker breaker(options(1, 30s, 2));
    Caller caller{v, breaker};
    caller.once(true);
    v.settle(30s);
    auto p1 = caller.call(false, 1s);
    auto p2 = caller.call(false, 1s);
    auto p3 = caller.call(false, 1s);
    v.settle(1ms);
    EXPECT_EQ(caller.calls, 3) << "ch12.breaker_admit: two probes go (plus the first failure)";
    EXPECT_EQ(retry_after_ms(p3), 0)
        << "ch12.breaker_admit: a third call while 2 probes are out: CircuitOpenError, retry "
           "after 0";
    v.settle(2s);
    EXPECT_EQ(outcome_of(p1), "ok") << "ch12.breaker_admit: probe 1 answered";
    EXPECT_EQ(breaker.state(), State::CLOSED) << "ch12.breaker_record: the probes closed it";
}

TEST(CircuitBreaker, ALateOutcomeFromAnEarlierStateIsIgnored) {
    VirtualLoop v;
    CircuitBreaker breaker(options(2));
    Caller caller{v, breaker};
    auto slow_success = caller.call(false, 40s); // admitted while CLOSED
    v.settle(1ms);
    caller.once(true);
    caller.once(true);
    EXPECT_EQ(breaker.state(), State::OPEN) << "ch12.breaker_record: two failures open it";
    v.settle(30s);
    auto probe = caller.call(false, 20s); // HALF_OPEN from here, its probe out
    v.settle(11s);                        // the slow success arrives at 40 s
    EXPECT_EQ(outcome_of(slow_success), "ok") << "the slow call still succeeds for its caller";
    EXPECT_EQ(breaker.state(), State::HALF_OPEN)
        << "ch12.breaker_record: a success of a call admitted while CLOSED cannot close a "
           "HALF_OPEN breaker: only its probe decides";
}

TEST(CircuitBreaker, ACancelledCallIsNoFailure) {
    VirtualLoop v;
    CircuitBreaker breaker(options(1));
    Caller caller{v, breaker};
    auto cancelled = caller.call(true, 1s);
    v.settle(1ms);
    cancelled.cancel();
    v.settle(1ms);
    EXPECT_EQ(outcome_of(cancelled), "cancelled") << "the cancel reaches the caller";
    EXPECT_EQ(breaker.state(), State::CLOSED)
        << "ch12.breaker_record: a cancelled call is no failure (threshold 1 stays CLOSED)";
}

TEST(CircuitBreaker, ACancelledProbeGivesItsSlotBack) {
    VirtualLoop v;
    CircuitBreaker breaker(options(1));
    Caller caller{v, breaker};
    caller.once(true);
    v.settle(30s);
    auto probe = caller.call(false, 1s);
    v.settle(1ms);
    probe.cancel();
    v.settle(1ms);
    EXPECT_EQ(breaker.state(), State::HALF_OPEN)
        << "ch12.breaker_record: a cancelled probe gives no verdict: still HALF_OPEN";
    auto next = caller.call(false);
    v.settle(1ms);
    EXPECT_EQ(outcome_of(next), "ok")
        << "ch12.breaker_record: the cancelled probe gave its slot back: the next call probes";
    EXPECT_EQ(breaker.state(), State::CLOSED) << "ch12.breaker_record: and its success closes";
}

TEST(CircuitBreaker, FailureOnDecidesWhatCounts) {
    VirtualLoop v;
    CircuitBreaker::Options o = options(2);
    o.failure_on = [](std::exception_ptr error) {
        try {
            std::rethrow_exception(error);
        } catch (const aio::ValueError&) {
            return false; // the service answered: the request was bad
        } catch (...) {
            return true;
        }
    };
    CircuitBreaker breaker(o);
    auto bad_request = []() -> Coro<int> {
        throw aio::ValueError("404");
        co_return 0;
    };
    for (int i = 0; i < 3; ++i) {
        auto task = aio::create_task(v.loop, breaker.call(bad_request));
        v.settle(1ms);
        EXPECT_EQ(outcome_of(task), "404") << "the error still reaches the caller";
    }
    EXPECT_EQ(breaker.state(), State::CLOSED)
        << "ch12.breaker_record: errors failure_on rejects do not open the breaker";
    EXPECT_EQ(breaker.failures(), 0) << "ch12.breaker_record: nor count as failures";
}

TEST(CircuitBreaker, ReportsEveryChangeOfState) {
    VirtualLoop v;
    std::vector<std::string> changes;
    CircuitBreaker::Options o = options(2, 10s);
    o.on_change = [&](State from, State to) {
        changes.push_back(aio::to_string(from) + "->" + aio::to_string(to) + " " + at(v));
    };
    CircuitBreaker breaker(o);
    Caller caller{v, breaker};
    caller.once(true);
    caller.once(true); // opens at 1 ms
    v.settle(10s);
    caller.once(true); // probe at 10 s fails
    v.settle(10s);
    caller.once(false); // probe at 20 s succeeds
    EXPECT_EQ(joined(changes), "CLOSED->OPEN @1, OPEN->HALF_OPEN @10002, HALF_OPEN->OPEN @10002, "
                               "OPEN->HALF_OPEN @20003, HALF_OPEN->CLOSED @20003")
        << "ch12.breaker_record: the state changes in order, each at its time";
}
