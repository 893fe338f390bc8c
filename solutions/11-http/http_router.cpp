// The router: methods and path patterns to handlers, 404 and 405, and the
// handler's failures turned into answers (aiohttp: web_urldispatcher).
#include <set>

#include "event_loop.hpp"
#include "http_server.hpp"

namespace aio::http {

namespace detail {

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> segments;
    while (!path.empty()) {
        if (path.front() == '/') path.remove_prefix(1);
        std::size_t slash = path.find('/');
        segments.emplace_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash);
        if (path == "/") segments.emplace_back(); // a trailing slash is a segment of its own
    }
    return segments;
}

bool match_route(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
                 std::map<std::string, std::string>& params) {
    //@scratch ch11.match
    //@exercise ch11.match  Segment by segment: equal text, or a {name} that takes a non-empty segment.
    if (pattern.size() != path.size()) return false;
    std::map<std::string, std::string> found;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const std::string& want = pattern[i];
        bool variable = want.size() > 2 && want.front() == '{' && want.back() == '}';
        if (variable && !path[i].empty())
            found[want.substr(1, want.size() - 2)] = path[i];
        else if (variable || want != path[i])
            return false;
    }
    params = std::move(found);
    return true;
    //@end
    //@end
}

} // namespace detail

void Application::add_route(std::string method, std::string pattern, Handler handler) {
    if (!handler) throw ValueError("add_route: an empty handler for " + pattern);
    routes_.push_back({std::move(method), detail::split_path(pattern), std::move(handler)});
}

void Application::add_get(std::string pattern, Handler handler) {
    add_route("GET", std::move(pattern), std::move(handler));
}

void Application::add_post(std::string pattern, Handler handler) {
    add_route("POST", std::move(pattern), std::move(handler));
}

namespace {
Response method_not_allowed(const std::set<std::string>& allowed) {
    std::string allow;
    for (const std::string& method : allowed)
        allow += (allow.empty() ? "" : ", ") + method;
    Response r = text_response("405: Method Not Allowed", 405);
    r.headers.add("Allow", allow);
    return r;
}
} // namespace

Coro<Response> Application::handle(Request request) const {
    //@scratch ch11.route
    //@exercise ch11.route  Find the route; 404 or 405 with Allow; run it; HttpError: its status; else 500, reported.
    std::vector<std::string> path = detail::split_path(request.path());
    std::set<std::string> allowed;
    const Route* chosen = nullptr;
    for (const Route& route : routes_) {
        std::map<std::string, std::string> params;
        if (!detail::match_route(route.segments, path, params)) continue;
        bool head_on_get = request.method == "HEAD" && route.method == "GET";
        bool any = route.method == "*"; // aiohttp: hdrs.METH_ANY
        if (!chosen && (route.method == request.method || head_on_get || any)) {
            chosen = &route;
            request.match_info = std::move(params);
        }
        allowed.insert(route.method);
        if (route.method == "GET") allowed.insert("HEAD");
    }
    if (!chosen && allowed.empty()) co_return text_response("404: Not Found", 404);
    if (!chosen) co_return method_not_allowed(allowed);
    std::exception_ptr failure;
    try {
        co_return co_await chosen->handler(std::move(request));
    } catch (const HttpError& e) {
        co_return text_response(std::to_string(e.status) + ": " + e.what(), e.status);
    } catch (const std::exception&) {
        failure = std::current_exception(); // CancelledError is no std::exception: it goes on
    }
    get_running_loop().call_exception_handler({"Error handling request", failure});
    co_return text_response("500 Internal Server Error", 500);
    //@end
    //@end
}

} // namespace aio::http
