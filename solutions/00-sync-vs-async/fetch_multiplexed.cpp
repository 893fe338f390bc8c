// The multiplexed client: one thread, non-blocking sockets, one Exchange state
// machine per request, all driven by one poll() loop (exchange.hpp).
#include "fetch.hpp"

#include "exchange.hpp"

namespace aio {

std::vector<std::string> fetch_multiplexed(std::uint16_t port,
                                           const std::vector<std::string>& requests) {
    // asyncio: asyncio.gather(*(fetch(r) for r in requests)) on one event loop.
    //@scratch ch00.multiplexed
    //@exercise ch00.multiplexed  An Exchange per request, all run by run_exchanges; the answers.
    std::vector<Exchange> exchanges;
    exchanges.reserve(requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i)
        exchanges.emplace_back(port, requests[i], i);
    run_exchanges(exchanges);
    std::vector<std::string> answers;
    answers.reserve(exchanges.size());
    for (const Exchange& exchange : exchanges)
        answers.push_back(exchange.answer());
    return answers;
    //@end
    //@end
}

} // namespace aio
