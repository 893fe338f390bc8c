// The sequential client: blocking sockets, one request after another. Every
// request waits for the whole delay of the one before it.
#include "fetch.hpp"

#include <cerrno>
#include <system_error>

#include <sys/socket.h>

#include "net.hpp"

namespace aio {

Error closed_mid_answer(std::size_t bytes_received, std::size_t request_index) {
    return Error("fetch: server closed the connection after " + std::to_string(bytes_received) +
                 " bytes of the answer to request " + std::to_string(request_index));
}

std::string fetch_one(std::uint16_t port, const std::string& request, std::size_t index) {
    //@scratch ch00.fetch_one
    //@exercise ch00.fetch_one  One request on its own blocking connection; its answer, no newline.
    UniqueFd connection = connect_to(port);
    send_all(connection.get(), request + "\n");
    // TCP is a byte stream, not a message stream: one answer may arrive in
    // several pieces, so keep reading until the newline is in the buffer.
    std::string answer;
    char buffer[4096];
    while (answer.find('\n') == std::string::npos) {
        ssize_t received = ::recv(connection.get(), buffer, sizeof buffer, 0);
        if (received < 0 && errno == EINTR) continue;
        if (received < 0) throw std::system_error(errno, std::generic_category(), "recv");
        if (received == 0) throw closed_mid_answer(answer.size(), index);
        answer.append(buffer, static_cast<std::size_t>(received));
    }
    answer.resize(answer.find('\n'));
    return answer;
    //@end
    //@end
}

std::vector<std::string> fetch_sequential(std::uint16_t port,
                                          const std::vector<std::string>& requests) {
    // The whole strategy is this loop: while fetch_one waits for one answer,
    // nothing else happens. asyncio: `for r in requests: answers.append(fetch(r))`.
    //@scratch ch00.sequential
    //@exercise ch00.sequential  Every request in turn with fetch_one; the answers in order.
    std::vector<std::string> answers;
    answers.reserve(requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i)
        answers.push_back(fetch_one(port, requests[i], i));
    return answers;
    //@end
    //@end
}

} // namespace aio
