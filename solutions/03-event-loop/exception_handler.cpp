// Where errors go that no caller can catch: a callback's exception, and debug
// mode's reports (asyncio: call_exception_handler, default_exception_handler).
#include <cstdio>
#include <string>

#include "event_loop.hpp"

namespace aio {

void EventLoop::set_exception_handler(ExceptionHandler handler) {
    exception_handler_ = std::move(handler); // an empty one (nullptr) means: the default
}

// asyncio logs "message" and the traceback; we write the message and what the
// exception says. CancelledError is not a std::exception (see aio_base.hpp).
void EventLoop::default_exception_handler(const ExceptionContext& context) {
    //@scratch ch03.default_exception_handler
    //@exercise ch03.default_exception_handler  Write the message and what the exception says.
    std::string text =
        context.message.empty() ? "Unhandled exception in event loop" : context.message;
    if (context.exception) {
        try {
            std::rethrow_exception(context.exception);
        } catch (const std::exception& e) {
            text += std::string(": ") + e.what();
        } catch (const CancelledError& e) {
            text += std::string(": CancelledError: ") + e.what();
        } catch (...) {
            text += ": an exception that is not a std::exception";
        }
    }
    std::fprintf(stderr, "%s\n", text.c_str());
    //@end
    //@end
}

// The loop must survive whatever a handler does: a handler that throws is
// reported through the default handler, together with what it was handling.
void EventLoop::call_exception_handler(const ExceptionContext& context) {
    //@scratch ch03.call_exception_handler
    //@exercise ch03.call_exception_handler  Call the handler; the default if none or if it throws.
    if (!exception_handler_) {
        default_exception_handler(context);
        return;
    }
    auto handler = exception_handler_; // a handler may replace itself while it runs
    try {
        handler(*this, context);
    } catch (...) {
        default_exception_handler(
            {"Unhandled error in exception handler (while handling: " + context.message + ")",
             std::current_exception()});
    }
    //@end
    //@end
}

} // namespace aio
