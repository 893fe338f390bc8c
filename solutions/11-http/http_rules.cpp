// The rules of HTTP/1.1 messages that the parsers apply (RFC 9112): start
// lines, versions and how a body is framed, with the refusals that stop
// request smuggling (aiohttp: http_parser.py; h11: _readers.py).
#include <algorithm>
#include <cctype>
#include <charconv>

#include "http_parser.hpp"

namespace aio::http {

namespace detail {

namespace {
bool is_token(std::string_view s) {
    static const std::string_view specials = "!#$%&'*+-.^_`|~";
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               specials.find(c) != std::string_view::npos;
    });
}

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

int parse_version(std::string_view text) {
    //@scratch ch11.version
    //@exercise ch11.version  "HTTP/d.d" exactly (400 otherwise); 1.0 and 1.1 only (505 otherwise).
    bool well_formed = text.size() == 8 && text.substr(0, 5) == "HTTP/" &&
                       std::isdigit(static_cast<unsigned char>(text[5])) && text[6] == '.' &&
                       std::isdigit(static_cast<unsigned char>(text[7]));
    if (!well_formed) throw HttpError(400, "a malformed HTTP version: " + std::string(text));
    int version = (text[5] - '0') * 10 + (text[7] - '0');
    if (version != 10 && version != 11)
        throw HttpError(505, "HTTP version " + std::string(text) + " is not supported");
    return version;
    //@end
    //@end
}

// Identical duplicate Content-Lengths are accepted as one (RFC 9110 §8.6
// allows it, h11 does it); different ones are refused.
Framing framing_of_fields(const Headers& headers, const Limits& limits, std::size_t& length) {
    //@scratch ch11.framing
    //@exercise ch11.framing  Transfer-Encoding or Content-Length, never both; say how the body ends.
    std::vector<std::string> lengths = headers.get_all("Content-Length");
    std::vector<std::string> encodings = headers.get_all("Transfer-Encoding");
    if (!lengths.empty() && !encodings.empty())
        throw HttpError(400, "Content-Length together with Transfer-Encoding");
    if (!encodings.empty()) {
        std::vector<std::string> codings; // "gzip, chunked" -> gzip, chunked; over every field
        for (const std::string& field : encodings) {
            std::string_view rest = field;
            for (std::size_t comma = 0; comma != std::string_view::npos;) {
                comma = rest.find(',');
                std::string coding(trim(rest.substr(0, comma)));
                for (char& c : coding)
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                codings.push_back(coding);
                rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
            }
        }
        if (codings != std::vector<std::string>{"chunked"})
            throw HttpError(501, "transfer-coding not supported: " + encodings.front());
        return Framing::CHUNKED;
    }
    if (lengths.empty()) return Framing::NONE;
    for (const std::string& value : lengths) {
        if (!all_digits(value)) throw HttpError(400, "a bad Content-Length: " + value);
        if (value != lengths.front()) throw HttpError(400, "two different Content-Lengths");
    }
    const std::string& digits = lengths.front();
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (ec != std::errc()) throw HttpError(400, "a Content-Length that overflows");
    if (length > limits.max_body)
        throw HttpError(413,
                        "a body of " + digits + " bytes, over " + std::to_string(limits.max_body));
    return Framing::LENGTH;
    //@end
    //@end
}

} // namespace detail

// method SP request-target SP HTTP-version (RFC 9112 §3)
void detail::parse_request_line(std::string_view line, Request& r) {
    //@scratch ch11.request_line
    //@exercise ch11.request_line  Split into method, target and version; refuse each bad part with 400.
    std::size_t first = line.find(' ');
    std::size_t last = line.rfind(' ');
    if (first == std::string_view::npos || first == last)
        throw HttpError(400, "a malformed request line");
    std::string_view method = line.substr(0, first);
    std::string_view target = line.substr(first + 1, last - first - 1);
    if (!is_token(method)) throw HttpError(400, "a method that is not a token");
    bool clean = !target.empty() && std::none_of(target.begin(), target.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f;
    });
    if (!clean) throw HttpError(400, "a bad request target");
    r.method = std::string(method);
    r.target = std::string(target);
    r.version = parse_version(line.substr(last + 1));
    //@end
    //@end
}

// A request with neither field has no body (RFC 9112 §6.3, rule 6).
detail::Framing RequestParser::framing(std::size_t& length) {
    return detail::framing_of_fields(current_.headers, limits_, length);
}

std::optional<Request> RequestParser::pending() const {
    if (const Request* r = partial()) return *r;
    return std::nullopt;
}

// HTTP-version SP status-code [SP reason-phrase] (RFC 9112 §4)
void detail::parse_status_line(std::string_view line, Response& r) {
    //@scratch ch11.status_line
    //@exercise ch11.status_line  Version, three digits, an optional reason; 400 when malformed.
    std::size_t space = line.find(' ');
    if (space == std::string_view::npos) throw HttpError(400, "a malformed status line");
    r.version = parse_version(line.substr(0, space));
    std::string_view rest = line.substr(space + 1);
    std::string_view code = rest.substr(0, 3);
    if (code.size() != 3 || !all_digits(code) || code[0] == '0' ||
        (rest.size() > 3 && rest[3] != ' '))
        throw HttpError(400, "a malformed status code");
    r.status = std::stoi(std::string(code));
    r.reason = std::string(rest.size() > 4 ? rest.substr(4) : std::string_view());
    //@end
    //@end
}

void RequestParser::start_line(std::string_view line) {
    detail::parse_request_line(line, current_);
}

void ResponseParser::start_line(std::string_view line) {
    detail::parse_status_line(line, current_);
}

void ResponseParser::expect(std::string method) {
    methods_.push_back(std::move(method));
}

// 1xx, 204, 304 and an answer to HEAD have no body whatever their fields say;
// a response with neither field ends at EOF (RFC 9112 §6.3).
detail::Framing ResponseParser::framing(std::size_t& length) {
    //@scratch ch11.response_framing
    //@exercise ch11.response_framing  No body for HEAD, 1xx, 204, 304; else the fields' framing, and without one: until EOF.
    bool head = !methods_.empty() && methods_.front() == "HEAD";
    int status = current_.status;
    if (head || status < 200 || status == 204 || status == 304) return detail::Framing::NONE;
    detail::Framing f = detail::framing_of_fields(current_.headers, limits_, length);
    return f == detail::Framing::NONE ? detail::Framing::UNTIL_EOF : f;
    //@end
    //@end
}

// An interim 1xx answer is skipped; the final one answers the oldest request.
bool ResponseParser::keep(const Response& r) {
    if (r.status < 200) return false;
    if (!methods_.empty()) methods_.pop_front();
    return true;
}

} // namespace aio::http
