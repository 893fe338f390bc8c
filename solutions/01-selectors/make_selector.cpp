// Choosing a backend by name (asyncio: selectors.DefaultSelector picks the best the
// platform has: epoll, kqueue, devpoll, poll, then select).
#include <string>

#include "poll_selector.hpp"
#include "select_selector.hpp"
#include "selector.hpp"
#ifdef __linux__
#include "epoll_selector.hpp"
#endif

namespace aio {

// The valid names and the best backend differ by platform: epoll is Linux only.
std::unique_ptr<Selector> make_selector(std::string_view name) {
    //@scratch ch01.make_selector
    //@exercise ch01.make_selector  Make the backend the name asks for ("default": the best).
#ifdef __linux__
    constexpr std::string_view best = "epoll";
    constexpr const char* valid = "\"default\", \"select\", \"poll\", \"epoll\"";
#else
    constexpr std::string_view best = "poll"; // macOS: kqueue is not in the kit
    constexpr const char* valid = "\"default\", \"select\", \"poll\" (epoll is Linux only)";
#endif
    if (name == "default") name = best;
    if (name == "select") return std::make_unique<SelectSelector>();
    if (name == "poll") return std::make_unique<PollSelector>();
#ifdef __linux__
    if (name == "epoll") return std::make_unique<EpollSelector>();
#endif
    throw ValueError("make_selector: unknown selector \"" + std::string(name) +
                     "\"; the valid names are " + valid);
    //@end
    //@end
}

} // namespace aio
