// The threaded client: one blocking fetch_one per thread, all at once. The
// waits overlap because each thread blocks on its own (asyncio: to_thread).
#include "fetch.hpp"

#include <exception>
#include <thread>

namespace aio {

std::vector<std::string> fetch_threaded(std::uint16_t port,
                                        const std::vector<std::string>& requests) {
    //@scratch ch00.threaded
    //@exercise ch00.threaded  All requests at once, a thread each; answers in order; rethrow.
    std::vector<std::string> answers(requests.size());
    // An exception must not escape a thread (that is std::terminate), so each
    // thread parks its error in its own slot and the caller rethrows it.
    std::vector<std::exception_ptr> errors(requests.size());
    {
        std::vector<std::jthread> threads;
        threads.reserve(requests.size());
        for (std::size_t i = 0; i < requests.size(); ++i) {
            threads.emplace_back([&, i] {
                try {
                    answers[i] = fetch_one(port, requests[i], i);
                } catch (...) {
                    errors[i] = std::current_exception();
                }
            });
        }
    } // each jthread joins as it is destroyed: every slot is written after this brace
    for (const std::exception_ptr& error : errors)
        if (error) std::rethrow_exception(error);
    return answers;
    //@end
    //@end
}

} // namespace aio
