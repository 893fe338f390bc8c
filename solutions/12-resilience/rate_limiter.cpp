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
    if (loop_ == nullptr) return rate_ - grants_.size();
    TimePoint now = loop_->time();
    auto live = std::count_if(grants_.begin(), grants_.end(),
                              [&](TimePoint granted) { return granted + period_ > now; });
    return rate_ - static_cast<std::size_t>(live);
}

void RateLimiter::forget_expired(TimePoint now) {
    //@scratch ch12.limiter_window
    //@exercise ch12.limiter_window  Drop the grants that have left the window by now.
    while (!grants_.empty() && grants_.front() + period_ <= now)
        grants_.pop_front();
    //@end
    //@end
}

Coro<void> RateLimiter::acquire() {
    EventLoop& loop = binding_.get();
    loop_ = &loop;
    //@scratch ch12.limiter_acquire
    std::exception_ptr error;
    std::optional<Future<TimePoint>> waiter;
    //@exercise ch12.limiter_acquire  Grant at once if nobody waits and the window has room; else
    // queue and wait for a grant. Woken, then cancelled: take the grant back.
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
        arm_timer();
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
    //@exercise ch12.limiter_grant  Grant the oldest pending waiters while the window has room.
    TimePoint now = loop_->time();
    forget_expired(now);
    for (Future<TimePoint>& waiter : waiters_) {
        if (grants_.size() >= rate_) break;
        if (waiter.done()) continue; // cancelled, or granted already
        grants_.push_back(now);
        waiter.set_result(now);
    }
    arm_timer();
    //@end
    //@end
}

void RateLimiter::arm_timer() {
    //@scratch ch12.limiter_timer
    //@exercise ch12.limiter_timer  One timer, for the oldest grant's expiry, while someone waits.
    bool someone_waits = std::any_of(waiters_.begin(), waiters_.end(),
                                     [](const Future<TimePoint>& w) { return !w.done(); });
    if (timer_armed_ || !someone_waits || grants_.empty()) return;
    timer_armed_ = true;
    timer_ = loop_->call_at(grants_.front() + period_, [this] {
        timer_armed_ = false;
        grant_waiters();
    });
    //@end
    //@end
}

void RateLimiter::take_back(TimePoint granted_at) {
    auto stamp = std::find(grants_.rbegin(), grants_.rend(), granted_at);
    if (stamp != grants_.rend()) grants_.erase(std::next(stamp).base());
    grant_waiters(); // the next waiter may have it now
}

Coro<Guard> RateLimiter::guard() {
    co_await acquire();
    co_return Guard();
}

} // namespace aio
