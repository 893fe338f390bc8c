// A local httpbin (given): the endpoints of httpbin.org that the source
// articles' examples call, served on 127.0.0.1 so they run without the
// internet.
#include <algorithm>
#include <cmath>

#include "web_api.hpp"

namespace aio::http {

namespace {

using namespace std::chrono_literals;

json::Value headers_json(const Headers& headers) {
    json::Value out = json::Value::object();
    for (const auto& [name, value] : headers)
        out[name] = value;
    return out;
}

json::Value query_json(const std::string& target) {
    json::Value args = json::Value::object();
    std::size_t q = target.find('?');
    if (q == std::string::npos) return args;
    std::string_view rest = std::string_view(target).substr(q + 1);
    while (!rest.empty()) {
        std::string_view pair = rest.substr(0, rest.find('&'));
        std::size_t eq = pair.find('=');
        std::string key = percent_decode(pair.substr(0, eq), true);
        args[key] = eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1), true);
        rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
    }
    return args;
}

// The number in a route parameter, within [low, high]; else HttpError 400.
double number_param(const Request& r, const char* name, double low, double high) {
    const std::string& text = r.match_info.at(name);
    char* end = nullptr;
    double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(value >= low && value <= high))
        throw HttpError(400, std::string(name) + " must be a number in [" + std::to_string(low) +
                                 ", " + std::to_string(high) + "]");
    return value;
}

Coro<Response> anything(Request r) {
    json::Value out = json::Value::object();
    out["method"] = r.method;
    out["url"] = r.target;
    out["args"] = query_json(r.target);
    out["headers"] = headers_json(r.headers);
    out["data"] = r.body;
    try {
        out["json"] = json::parse(r.body);
    } catch (const ValueError&) {
        out["json"] = nullptr;
    }
    out["origin"] = r.peer.substr(0, r.peer.rfind(':'));
    co_return json_response(out);
}

Coro<Response> delay(Request r) {
    double seconds = number_param(r, "seconds", 0, 10);
    co_await sleep(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds)));
    co_return json_response(json::Value::object({{"delay", seconds}, {"url", r.target}}));
}

Coro<Response> status(Request r) {
    int code = static_cast<int>(number_param(r, "code", 100, 599));
    Response response = text_response("", code);
    if (code >= 300 && code < 400) response.headers.set("Location", "/redirect/1");
    co_return response;
}

Coro<Response> redirect(Request r) {
    int n = static_cast<int>(number_param(r, "n", 1, 100));
    Response response = text_response("", 302);
    response.headers.set("Location", n == 1 ? "/get" : "/redirect/" + std::to_string(n - 1));
    co_return response;
}

Coro<Response> sample_json(Request) {
    json::Value slides = json::Value::array(
        {json::Value::object({{"title", "Wake up to WonderWidgets!"}, {"type", "all"}}),
         json::Value::object({{"title", "Overview"}, {"type", "all"}})});
    co_return json_response(json::Value::object(
        {{"slideshow",
          json::Value::object(
              {{"author", "Yours Truly"}, {"title", "Sample Slide Show"}, {"slides", slides}})}}));
}

Coro<Response> bytes(Request r) {
    std::size_t n = static_cast<std::size_t>(number_param(r, "n", 0, 1 << 20));
    std::string body(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        body[i] = static_cast<char>('a' + i % 26);
    co_return text_response(std::move(body), 200, "application/octet-stream");
}

// n JSON lines, each its own chunk (Transfer-Encoding: chunked).
Coro<Response> stream(Request r) {
    int n = static_cast<int>(number_param(r, "n", 0, 100));
    std::string body;
    for (int i = 0; i < n; ++i) {
        std::string line = json::Value::object({{"id", i}, {"url", r.target}}).dump() + "\n";
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", line.size());
        body += size + line + "\r\n";
    }
    Response response = text_response(body + "0\r\n\r\n", 200, "application/json");
    response.headers.set("Transfer-Encoding", "chunked");
    co_return response;
}

Coro<Response> headers(Request r) {
    co_return json_response(json::Value::object({{"headers", headers_json(r.headers)}}));
}

} // namespace

Application httpbin() {
    Application app;
    app.add_get("/delay/{seconds}", delay);
    app.add_route("*", "/status/{code}", status);
    app.add_get("/redirect/{n}", redirect);
    app.add_get("/get", anything);
    app.add_get("/json", sample_json);
    app.add_get("/bytes/{n}", bytes);
    app.add_get("/stream/{n}", stream);
    app.add_get("/headers", headers);
    app.add_route("*", "/anything", anything);
    app.add_route("*", "/anything/{path}", anything);
    return app;
}

} // namespace aio::http
