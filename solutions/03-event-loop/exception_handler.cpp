// Where errors go that no caller can catch: a callback's exception, and debug
// mode's reports (asyncio: call_exception_handler, default_exception_handler).
#include <cstdio>
#include <string>

#include "event_loop.hpp"

namespace aio {

namespace {
// One line for an exception: its what(), or what kind of thing was thrown.
std::string describe(const std::exception_ptr& exception) {
    try {
        std::rethrow_exception(exception);
    } catch (const std::exception& e) {
        return e.what();
    } catch (const CancelledError& e) {
        return std::string("CancelledError: ") + e.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}
} // namespace

void EventLoop::set_exception_handler(ExceptionHandler handler) {
    exception_handler_ = std::move(handler); // an empty one (nullptr) means: the default
}

// asyncio logs "message" and the traceback; we write the message and what().
void EventLoop::default_exception_handler(const ExceptionContext& context) {
    std::string text =
        context.message.empty() ? "Unhandled exception in event loop" : context.message;
    if (context.exception) text += ": " + describe(context.exception);
    std::fprintf(stderr, "%s\n", text.c_str());
}

// The loop must survive whatever a handler does: a handler that throws is
// reported through the default handler, together with what it was handling.
void EventLoop::call_exception_handler(const ExceptionContext& context) {
    //@exercise ch03.call_exception_handler  Hand context to the handler, or to the default when there is none or when the handler throws.
    if (!exception_handler_) {
        default_exception_handler(context);
        return;
    }
    try {
        exception_handler_(*this, context);
    } catch (...) {
        default_exception_handler(
            {"Unhandled error in exception handler (while handling: " + context.message + ")",
             std::current_exception()});
    }
    //@end
}

} // namespace aio
