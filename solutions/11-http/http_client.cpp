// The client session: one request on a pooled connection, the retry of a
// stale one, redirects and timeouts (aiohttp: ClientSession._request,
// ClientResponse.start).
#include <cctype>
#include <charconv>

#include "combinators.hpp"
#include "http_client.hpp"

namespace aio::http {

namespace detail {

namespace {

constexpr std::size_t READ_CHUNK = 65536;

std::string seconds_of(Duration d) {
    return std::to_string(std::chrono::duration<double>(d).count()) + " s";
}

bool idempotent(std::string_view method) {
    return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
           method == "OPTIONS";
}

// A response whose end was marked (not by EOF): its connection may carry another.
bool framed(const Response& r, std::string_view method) {
    return method == "HEAD" || r.status == 204 || r.status == 304 ||
           r.headers.contains("Content-Length") || r.headers.contains("Transfer-Encoding");
}

Coro<Connection> acquire_in_time(SessionState& state, const Url& url) {
    const std::optional<Duration>& limit = state.options.timeout.connect;
    if (!limit) co_return co_await state.pool.acquire(url);
    try {
        co_return co_await timeout(*limit, state.pool.acquire(url));
    } catch (const TimeoutError&) {
    }
    throw TimeoutError("connect timeout: no connection to " + url.key() + " within " +
                       seconds_of(*limit));
}

Coro<std::string> read_in_time(StreamReader reader, const std::optional<Duration>& limit) {
    if (!limit) co_return co_await reader.read(READ_CHUNK);
    try {
        co_return co_await timeout(*limit, reader.read(READ_CHUNK));
    } catch (const TimeoutError&) {
    }
    throw TimeoutError("sock_read timeout: no data for " + seconds_of(*limit));
}

Request request_for(const SessionState& state, const std::string& method, const Url& url,
                    std::string body, const Headers& headers) {
    Request r;
    r.method = method;
    r.target = url.target;
    r.body = std::move(body);
    for (const auto& [name, value] : state.options.headers)
        r.headers.set(name, value);
    for (const auto& [name, value] : headers)
        r.headers.set(name, value);
    r.headers.set("Host", url.port == 80 ? url.host : url.key());
    return r;
}

} // namespace

// Sends the request and reads its response whole. `answered` says whether any
// byte came back: a pooled connection that fails before that was stale.
Coro<Response> exchange(const SessionState& state, Connection& c, const Request& request,
                        bool& answered) {
    //@scratch ch11.exchange
    //@exercise ch11.exchange  Write the request, then feed reads to a ResponseParser until a response comes out.
    c.writer.write(serialize(request));
    co_await c.writer.drain();
    ResponseParser parser(state.options.limits);
    parser.expect(request.method);
    for (;;) {
        if (std::optional<Response> response = parser.next()) co_return std::move(*response);
        std::string data = co_await read_in_time(c.reader, state.options.timeout.sock_read);
        if (data.empty()) {
            if (!answered) throw ConnectionResetError("the server closed without answering");
            parser.feed_eof(); // completes an EOF-delimited body, else HttpError
        } else {
            answered = true;
            parser.feed(data);
        }
    }
    //@end
    //@end
}

Coro<Response> send_once(std::shared_ptr<SessionState> state, std::string method, Url url,
                         std::string body, Headers headers) {
    //@scratch ch11.send_once
    //@exercise ch11.send_once  Acquire, exchange, release (reusable or not); a stale pooled connection is retried once.
    Request request = request_for(*state, method, url, std::move(body), headers);
    for (int attempt = 1;; ++attempt) {
        Connection c = co_await acquire_in_time(*state, url);
        bool answered = false;
        std::exception_ptr error;
        bool stale = false;
        try {
            Response response = co_await exchange(*state, c, request, answered);
            bool reusable = framed(response, method) && response.keep_alive() && !c.reader.at_eof();
            state->pool.release(std::move(c), reusable);
            co_return response;
        } catch (const ConnectionError&) {
            error = std::current_exception();
            stale = c.reused && !answered; // the server had closed it while it sat idle
        } catch (...) {
            error = std::current_exception();
        }
        state->pool.release(std::move(c), false);
        if (!(stale && attempt == 1 && idempotent(method))) std::rethrow_exception(error);
    }
    //@end
    //@end
}

// Follows redirects up to max_redirects (aiohttp: ClientSession._request's loop).
Coro<Response> follow_redirects(std::shared_ptr<SessionState> state, std::string method, Url url,
                                std::string body, Headers headers) {
    //@scratch ch11.redirects
    //@exercise ch11.redirects  Send; a 301/302/303/307/308 with a Location is followed (303 and POST-after-301/302 become GET); history; too many: TooManyRedirects.
    std::vector<std::string> history;
    for (;;) {
        Response response = co_await send_once(state, method, url, body, headers);
        std::optional<std::string> location = response.headers.get("Location");
        int s = response.status;
        bool redirect = s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
        if (!redirect || !location) {
            response.url = url.text();
            response.history = std::move(history);
            co_return response;
        }
        if (history.size() >= static_cast<std::size_t>(state->options.max_redirects))
            throw TooManyRedirects("more than " + std::to_string(state->options.max_redirects) +
                                   " redirects, the last to " + *location);
        history.push_back(url.text());
        if ((s == 303 && method != "HEAD") || ((s == 301 || s == 302) && method == "POST")) {
            method = "GET";
            body.clear();
        }
        url = parse_url(resolve_url(url, *location));
    }
    //@end
    //@end
}

std::string Url::text() const {
    return "http://" + (port == 80 ? host : key()) + target;
}

Url parse_url(std::string_view text) {
    std::string_view rest = text;
    std::string scheme(rest.substr(0, rest.find("://")));
    for (char& ch : scheme)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (scheme == "https")
        throw ValueError("https is not supported (the kit has no TLS): " + std::string(text));
    if (scheme != "http" || rest.find("://") == std::string_view::npos)
        throw ValueError("not an http:// URL: " + std::string(text));
    rest.remove_prefix(scheme.size() + 3);
    std::size_t end = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, end);
    Url url;
    std::size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
        std::string_view port = authority.substr(colon + 1);
        unsigned value = 0;
        auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535)
            throw ValueError("a bad port in " + std::string(text));
        url.port = static_cast<std::uint16_t>(value);
    }
    if (url.host.empty()) throw ValueError("no host in " + std::string(text));
    if (end != std::string_view::npos) url.target = std::string(rest.substr(end));
    if (url.target.front() == '?') url.target.insert(0, "/");
    return url;
}

std::string resolve_url(const Url& base, std::string_view location) {
    if (location.find("://") != std::string_view::npos) return std::string(location);
    if (location.substr(0, 2) == "//") return "http:" + std::string(location);
    std::string origin = "http://" + (base.port == 80 ? base.host : base.key());
    if (!location.empty() && location.front() == '/') return origin + std::string(location);
    std::string path = base.target.substr(0, base.target.find('?'));
    return origin + path.substr(0, path.rfind('/') + 1) + std::string(location);
}

} // namespace detail

ClientSession::ClientSession(ClientOptions options)
    : state_(std::make_shared<detail::SessionState>(std::move(options))) {}

Coro<Response> ClientSession::request(std::string method, std::string url, std::string body,
                                      Headers headers) {
    std::shared_ptr<detail::SessionState> state = state_; // the handle may go away meanwhile
    if (state->closed) throw RuntimeError("Session is closed");
    detail::Url parsed = detail::parse_url(url);
    const std::optional<Duration>& total = state->options.timeout.total;
    auto follow = detail::follow_redirects(state, std::move(method), std::move(parsed),
                                           std::move(body), std::move(headers));
    if (!total) co_return co_await std::move(follow);
    TimePoint deadline = get_running_loop().time() + *total;
    try {
        co_return co_await timeout_at(deadline, std::move(follow));
    } catch (const TimeoutError&) {
        if (get_running_loop().time() < deadline) throw; // connect or sock_read: theirs
    }
    throw TimeoutError("total timeout: the request took more than " + detail::seconds_of(*total));
}

Coro<Response> ClientSession::get(std::string url, Headers headers) {
    co_return co_await request("GET", std::move(url), {}, std::move(headers));
}

Coro<Response> ClientSession::post(std::string url, std::string body, Headers headers) {
    co_return co_await request("POST", std::move(url), std::move(body), std::move(headers));
}

Coro<void> ClientSession::close() {
    state_->closed = true;
    state_->pool.close();
    co_return;
}

bool retryable(int status) {
    return status >= 500 || status == 429;
}

} // namespace aio::http
