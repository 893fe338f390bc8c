// HTTP messages: errors, header fields, requests, responses and their bytes on
// the wire (aiohttp: web.Request, web.Response, ClientResponse, CIMultiDict).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aio_base.hpp"
#include "json.hpp"

namespace aio::http {

// A malformed or refused message; status is what a server answers
// (400 413 414 431 501 505). aiohttp: BadHttpMessage and its subclasses.
struct HttpError : Error {
    HttpError(int status, const std::string& message) : Error(message), status(status) {}
    int status;
};

// A response whose status is >= 400, from raise_for_status (aiohttp:
// ClientResponseError).
struct HttpStatusError : Error {
    HttpStatusError(int status, const std::string& message) : Error(message), status(status) {}
    int status;
};

struct TooManyRedirects : Error {
    using Error::Error;
};

// Names keep their case, lookups ignore it; order and duplicates are kept
// (aiohttp: CIMultiDict).
class Headers {
public:
    using Field = std::pair<std::string, std::string>;
    using const_iterator = std::vector<Field>::const_iterator;

    Headers(std::initializer_list<Field> fields = {});
    void add(std::string name, std::string value); // CR, LF or NUL: ValueError
    void set(std::string name, std::string value); // replaces every field of that name
    std::optional<std::string> get(std::string_view name) const; // the first
    std::vector<std::string> get_all(std::string_view name) const;
    bool contains(std::string_view name) const;
    void remove(std::string_view name);
    std::size_t size() const { return fields_.size(); }
    const_iterator begin() const { return fields_.begin(); }
    const_iterator end() const { return fields_.end(); }

private:
    std::vector<Field> fields_;
};

// ASCII case-insensitive equality (header names, tokens such as "chunked").
bool iequals(std::string_view a, std::string_view b);
// Does a comma-separated header value (Connection: keep-alive, Upgrade)
// list this token?
bool has_token(std::string_view list, std::string_view token);

struct Request {
    std::string method = "GET";
    std::string target = "/"; // as sent: path?query
    int version = 11;         // 10 or 11
    Headers headers;
    std::string body;
    std::map<std::string, std::string> match_info; // route parameters ("/user/{id}")
    std::string peer;                              // server side: "127.0.0.1:54321"

    std::string path() const; // percent-decoded, without the query
    std::optional<std::string> query(std::string_view name) const; // percent-decoded, '+' = ' '
    json::Value json() const;                                      // a bad body: HttpError 400
    bool keep_alive() const; // 1.1 unless "close"; 1.0 only with "keep-alive"
};

struct Response {
    int status = 200;
    std::string reason; // empty: the standard phrase
    Headers headers;
    std::string body;
    int version = 11;
    std::string url;                  // client side: the final URL
    std::vector<std::string> history; // client side: the URLs redirected from

    std::string text() const { return body; }
    json::Value json() const; // a bad body throws json's ValueError
    bool ok() const { return status < 400; }
    void raise_for_status() const; // >= 400: HttpStatusError
    bool keep_alive() const;       // as Request::keep_alive, for the connection's reuse
};

Response json_response(const json::Value& data, int status = 200); // application/json
Response text_response(std::string text, int status = 200,
                       std::string content_type = "text/plain; charset=utf-8");
std::string_view reason_phrase(int status); // "" for an unknown status

// The bytes on the wire. A request gets Content-Length when it has a body; a
// response always gets Content-Length, Date and Server unless it set them
// (head: the headers of the GET answer, no body).
std::string serialize(const Request& r);
std::string serialize(const Response& r, bool head = false);
std::string http_date(); // "Sun, 06 Nov 1994 08:49:37 GMT", now

// "%41" -> "A"; plus_is_space for query strings. A bad escape stays as is.
std::string percent_decode(std::string_view s, bool plus_is_space = false);

} // namespace aio::http
