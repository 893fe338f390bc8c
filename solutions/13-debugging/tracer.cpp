// The tracer (see tracer.hpp). asyncio has none built in; the closest are
// aiomonitor's and tokio-console's views of what the loop ran and when.
#include "tracer.hpp"

#include <chrono>

namespace aio {

Tracer::Tracer(EventLoop& loop) : loop_(loop), zero_(loop.time()) {
    loop_.extension<detail::LoopWatch>().add(*this);
}

Tracer::~Tracer() {
    loop_.extension<detail::LoopWatch>().remove(*this);
}

double Tracer::seconds_since_start() const {
    return std::chrono::duration<double>(loop_.time() - zero_).count();
}

void Tracer::callback_started() {
    open_ = Span{"callbacks", seconds_since_start(), 0.0, 'c'};
}

// One callback, one span: it opened as a plain callback; a task step that
// starts in it makes it that task's; it closes when the callback returns.
void Tracer::task_step_started(const TaskBase& task) {
    //@exercise ch13.trace_span  The running callback's span belongs to this task's row.
    open_.row = task.get_name();
    open_.kind = 'T';
    //@end
}

void Tracer::callback_ended() {
    //@exercise ch13.trace_end  Close the running callback's span on the loop's clock; keep it.
    open_.end_s = seconds_since_start();
    spans_.push_back(open_);
    //@end
}

Timeline Tracer::timeline(std::string title) const {
    //@exercise ch13.trace_timeline  Each span on its row; one that took no time as an event.
    Timeline timeline(std::move(title));
    for (const Span& span : spans_) {
        if (span.end_s > span.start_s)
            timeline.add_span(span.row, span.start_s, span.end_s, span.kind);
        else
            timeline.add_event(span.row, span.start_s, span.kind);
    }
    return timeline;
    //@end
}

} // namespace aio
