// The tracer: every callback and task step the loop runs, as a span on the
// loop's clock, drawn by the kit's timeline renderer (ASCII and SVG).
#pragma once

#include <string>
#include <vector>

#include "loop_watch.hpp"
#include "timeline.hpp"

namespace aio {

// While it lives, records one span per callback: its row is the task whose
// step the callback ran, or "callbacks"; its times are seconds on the loop's
// clock since the tracer was made; its kind is 'T' for a task step, 'c' for
// any other callback. It must not outlive the loop.
class Tracer : private detail::CallbackWatcher {
public:
    struct Span {
        std::string row;
        double start_s, end_s;
        char kind;
    };

    explicit Tracer(EventLoop& loop); // installs itself on the loop's hooks
    ~Tracer();                        // uninstalls
    Tracer(const Tracer&) = delete;
    Tracer& operator=(const Tracer&) = delete;

    const std::vector<Span>& spans() const { return spans_; }
    // The spans as a timeline, rows in the order they first ran; a span that
    // took no time on the clock shows as an event, so it is still seen.
    Timeline timeline(std::string title) const;

private:
    void callback_started() override;
    void task_step_started(const TaskBase& task) override;
    void callback_ended() override;
    double seconds_since_start() const; // the loop's time, from the tracer's zero

    EventLoop& loop_;
    TimePoint zero_;
    Span open_{}; // the callback that runs now
    std::vector<Span> spans_;
};

} // namespace aio
