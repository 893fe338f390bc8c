// The sliding window log: the times of the grants of the last period, oldest
// first. A grant is allowed while fewer than `rate` are in the window; a
// waiter is woken by the one timer set for the moment the oldest grant ages
// out, never by polling (the source article's `while True: sleep(0.1)`).
#include <algorithm>
#include <exception>
#include <optional>
#include <string>

#include "rate_limiter.hpp"

namespace aio {

namespace {

// A waiter's place in the list, taken out however its frame ends.
class Enlisted {
public:
    Enlisted(std::list<Future<TimePoint>>& list, EventLoop& loop)
        : list_(list), entry_(list.emplace(list.end(), loop)) {}
    ~Enlisted() { list_.erase(entry_); }
    Enlisted(const Enlisted&) = delete;
    Enlisted& operator=(const Enlisted&) = delete;
    Future<TimePoint> future() const { return *entry_; }

private:
    std::list<Future<TimePoint>>& list_;
    std::list<Future<TimePoint>>::iterator entry_;
};

} // namespace

RateLimiter::RateLimiter(std::size_t rate, Duration period) : rate_(rate), period_(period) {
    if (rate == 0) throw ValueError("RateLimiter: rate must be at least 1");
    if (period <= Duration::zero()) throw ValueError("RateLimiter: period must be above zero");
}

std::size_t RateLimiter::available() const {
    //@scratch ch12.limiter_available
    //@exercise ch12.limiter_available  The rate minus the grants still in the window now.
    if (loop_ == nullptr) return rate_ - grants_.size(); // no acquire yet: no clock either
    TimePoint now = loop_->time();
    auto live = std::count_if(grants_.begin(), grants_.end(),
                              [&](TimePoint granted) { return granted + period_ > now; });
    return rate_ - static_cast<std::size_t>(live);
    //@end
    //@end
}

// A grant at t is in the windows that start before t + period: at exactly
// t + period it is out.
void RateLimiter::forget_expired(TimePoint now) {
    while (!grants_.empty() && grants_.front() + period_ <= now)
        grants_.pop_front();
}

Coro<void> RateLimiter::acquire() {
    //@scratch ch12.limiter_acquire
    std::exception_ptr error;
    std::optional<Future<TimePoint>> waiter;
    //@exercise ch12.limiter_acquire  Grant now if nobody waits and there is room; else wait.
    EventLoop& loop = binding_.get(); // bound to its first loop (chapter 07)
    loop_ = &loop;
    forget_expired(loop.time());
    bool someone_waits = std::any_of(waiters_.begin(), waiters_.end(),
                                     [](const Future<TimePoint>& w) { return !w.done(); });
    if (!someone_waits && grants_.size() < rate_) {
        grants_.push_back(loop.time());
        co_return;
    }
    {
        Enlisted place(waiters_, loop);
        waiter = place.future();
        grant_waiters(); // grants nobody ahead of its turn; sets the timer
        try {
            co_await place.future();
        } catch (...) {
            error = std::current_exception();
        }
    }
    if (error) {
        if (waiter->done() && !waiter->cancelled()) take_back(waiter->result());
        std::rethrow_exception(error);
    }
    //@end
    //@end
}

void RateLimiter::grant_waiters() {
    //@scratch ch12.limiter_grant
    //@exercise ch12.limiter_grant  Grant the oldest waiters while there is room; set the one timer.
    TimePoint now = loop_->time();
    forget_expired(now);
    bool someone_waits = false;
    for (Future<TimePoint>& waiter : waiters_) {
        if (waiter.done()) continue; // cancelled, or granted already
        if (grants_.size() >= rate_) {
            someone_waits = true;
            break;
        }
        grants_.push_back(now);
        waiter.set_result(now);
    }
    if (!someone_waits || timer_armed_) return;
    timer_armed_ = true;
    timer_ = loop_->call_at(grants_.front() + period_, [this] {
        timer_armed_ = false;
        grant_waiters();
    });
    //@end
    //@end
}

void RateLimiter::take_back(TimePoint granted_at) {
    //@scratch ch12.limiter_take_back
    //@exercise ch12.limiter_take_back  Un-record that one grant, then let the next waiter have it.
    auto stamp = std::find(grants_.rbegin(), grants_.rend(), granted_at);
    if (stamp != grants_.rend()) grants_.erase(std::next(stamp).base());
    grant_waiters(); // the next waiter may have it now
    //@end
    //@end
}

Coro<Guard> RateLimiter::guard() {
    co_await acquire();
    co_return Guard();
}

} // namespace aio
