// Header fields, message helpers and serialisation (aiohttp: CIMultiDict,
// web.Response, http_writer).
#include <cctype>
#include <ctime>

#include "http_message.hpp"

namespace aio::http {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

bool has_token(std::string_view list, std::string_view token) {
    while (!list.empty()) {
        std::size_t comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
            item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
            item.remove_suffix(1);
        if (iequals(item, token)) return true;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

Headers::Headers(std::initializer_list<Field> fields) {
    for (const auto& [name, value] : fields)
        add(name, value);
}

void Headers::add(std::string name, std::string value) {
    // A CR or LF here would let a value start a header of its own (response splitting).
    if (name.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos ||
        value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
        throw ValueError("Headers: CR, LF or NUL in the field " + name);
    fields_.emplace_back(std::move(name), std::move(value));
}

void Headers::set(std::string name, std::string value) {
    remove(name);
    add(std::move(name), std::move(value));
}

std::optional<std::string> Headers::get(std::string_view name) const {
    for (const auto& [n, v] : fields_)
        if (iequals(n, name)) return v;
    return std::nullopt;
}

std::vector<std::string> Headers::get_all(std::string_view name) const {
    std::vector<std::string> values;
    for (const auto& [n, v] : fields_)
        if (iequals(n, name)) values.push_back(v);
    return values;
}

bool Headers::contains(std::string_view name) const {
    return get(name).has_value();
}

void Headers::remove(std::string_view name) {
    std::erase_if(fields_, [&](const Field& f) { return iequals(f.first, name); });
}

std::string percent_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+' && plus_is_space) {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() &&
                   std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
                   std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::string Request::path() const {
    return percent_decode(std::string_view(target).substr(0, target.find('?')));
}

std::optional<std::string> Request::query(std::string_view name) const {
    std::size_t q = target.find('?');
    if (q == std::string::npos) return std::nullopt;
    std::string_view rest = std::string_view(target).substr(q + 1);
    while (!rest.empty()) {
        std::string_view pair = rest.substr(0, rest.find('&'));
        std::string_view key = pair.substr(0, pair.find('='));
        if (percent_decode(key, true) == name)
            return key.size() < pair.size() ? percent_decode(pair.substr(key.size() + 1), true)
                                            : std::string();
        rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
    }
    return std::nullopt;
}

json::Value Request::json() const {
    try {
        return json::parse(body);
    } catch (const ValueError& e) {
        throw HttpError(400, std::string("bad JSON body: ") + e.what());
    }
}

namespace {
bool keep_alive_of(int version, const Headers& headers) {
    std::string connection = headers.get("Connection").value_or("");
    if (version >= 11) return !has_token(connection, "close");
    return has_token(connection, "keep-alive");
}
} // namespace

bool Request::keep_alive() const {
    return keep_alive_of(version, headers);
}
bool Response::keep_alive() const {
    return keep_alive_of(version, headers);
}

json::Value Response::json() const {
    return json::parse(body);
}

void Response::raise_for_status() const {
    if (status >= 400)
        throw HttpStatusError(status,
                              std::to_string(status) + " " +
                                  std::string(reason.empty() ? reason_phrase(status) : reason) +
                                  (url.empty() ? "" : " for " + url));
}

Response json_response(const json::Value& data, int status) {
    Response r;
    r.status = status;
    r.headers.add("Content-Type", "application/json");
    r.body = data.dump();
    return r;
}

Response text_response(std::string text, int status, std::string content_type) {
    Response r;
    r.status = status;
    r.headers.add("Content-Type", std::move(content_type));
    r.body = std::move(text);
    return r;
}

std::string_view reason_phrase(int status) {
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 418: return "I'm a teapot";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "";
    }
}

std::string http_date() {
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[64];
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    return text;
}

namespace {
void append_fields(std::string& out, const Headers& headers) {
    for (const auto& [name, value] : headers)
        out += name + ": " + value + "\r\n";
    out += "\r\n";
}

bool has_no_body(int status) {
    return status < 200 || status == 204 || status == 304;
}
} // namespace

std::string serialize(const Request& r) {
    std::string out = r.method + " " + r.target + (r.version == 10 ? " HTTP/1.0" : " HTTP/1.1");
    out += "\r\n";
    Headers headers = r.headers;
    if ((!r.body.empty() || r.method == "POST" || r.method == "PUT") &&
        !headers.contains("Content-Length") && !headers.contains("Transfer-Encoding"))
        headers.add("Content-Length", std::to_string(r.body.size()));
    append_fields(out, headers);
    return out + r.body;
}

std::string serialize(const Response& r, bool head) {
    std::string reason = r.reason.empty() ? std::string(reason_phrase(r.status)) : r.reason;
    std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason + "\r\n";
    Headers headers = r.headers;
    if (!headers.contains("Date")) headers.add("Date", http_date());
    if (!headers.contains("Server")) headers.add("Server", "looplab/11");
    if (!has_no_body(r.status) && !headers.contains("Content-Length") &&
        !headers.contains("Transfer-Encoding"))
        headers.add("Content-Length", std::to_string(r.body.size()));
    append_fields(out, headers);
    if (!head && !has_no_body(r.status)) out += r.body;
    return out;
}

} // namespace aio::http
