// Sans-I/O HTTP/1.1 parsers (as llhttp, h11, picohttpparser): bytes in,
// messages out; no loop, no socket. Any split of the same bytes gives the
// same messages (aiohttp: HttpRequestParser, HttpResponseParser).
#pragma once

#include <cstddef>
#include <deque>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "http_message.hpp"

namespace aio::http {

// aiohttp's defaults. A line is counted without its CRLF; "> max" is refused
// as soon as the buffered part of a line exceeds it.
struct Limits {
    std::size_t max_line = 8190;   // the request line: 414
    std::size_t max_field = 8190;  // one field line (name: value): 431
    std::size_t max_headers = 128; // fields per message: 431
    std::size_t max_body =
        1 << 20; // Content-Length (refused at the headers) or decoded chunks: 413
};

namespace detail {

// How the body of the message being parsed ends (RFC 9112 §6.3).
enum class Framing { NONE, LENGTH, CHUNKED, UNTIL_EOF };

// Where the parser is inside a message.
enum class Stage {
    START_LINE,
    FIELDS,
    LENGTH_BODY,
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_END,
    TRAILERS,
    UNTIL_EOF
};

// s without the spaces and tabs at either end (RFC 9110's OWS).
std::string_view trim(std::string_view s);

// The framing the fields ask for, with the smuggling rules: Content-Length
// with Transfer-Encoding, two different lengths, a length that is not all
// digits: 400; a coding other than one "chunked": 501; a length over
// max_body: 413. Neither field: NONE (the caller decides what that means).
Framing framing_of_fields(const Headers& headers, const Limits& limits, std::size_t& length);

// "HTTP/1.1" -> 11; malformed: 400; HTTP/d.d other than 1.0 and 1.1: 505.
int parse_version(std::string_view text);
// method SP request-target SP HTTP-version, into r; 400 (or 505) when bad.
void parse_request_line(std::string_view line, Request& r);
// HTTP-version SP status-code [SP reason-phrase], into r; 400 when bad.
void parse_status_line(std::string_view line, Response& r);
// name ":" OWS value OWS, added to headers; 400 when bad, 431 past max_headers.
void add_field(std::string_view line, Headers& headers, std::size_t max_headers);
// The hex size at the start of a chunk line, extensions ignored; 400 when bad.
std::size_t parse_chunk_size(std::string_view line);

// The next whole line of buffer from pos, without its line end, moving pos
// past it; nullopt while the line is incomplete. A bare CR, a bare LF (unless
// lf_ok): 400; a line longer than max (as soon as it is known): status.
std::optional<std::string_view> take_line(std::string_view buffer, std::size_t& pos,
                                          std::size_t max, int status, bool lf_ok);

// The machinery both parsers share; Message is Request or Response.
template <class Message>
class MessageParser {
public:
    MessageParser(Limits limits, bool lf_line_ends) : limits_(limits), lf_ok_(lf_line_ends) {}
    virtual ~MessageParser() = default;

    void feed(std::string_view data);
    void feed_eof();
    std::optional<Message> next();
    bool idle() const { return !started_ && pos_ == buffer_.size(); }

protected:
    virtual void start_line(std::string_view line) = 0; // fills current_
    // current_'s head is complete: how its body ends (length: a Content-Length)
    virtual Framing framing(std::size_t& length) = 0;
    virtual bool keep(const Message&) { return true; } // false: dropped (a 1xx answer)
    const Message* partial() const { return head_done_ ? &current_ : nullptr; }

    Limits limits_;
    Message current_;
    bool head_done_ = false; // current_'s start line and fields are complete

private:
    // Each step makes one piece of progress; false: more bytes are needed.
    bool step();
    bool head_step();  // START_LINE, FIELDS
    bool body_step();  // LENGTH_BODY, UNTIL_EOF
    bool chunk_step(); // CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS
    std::optional<std::string_view> line(std::size_t max, int status, bool lf_ok) {
        return take_line(buffer_, pos_, max, status, lf_ok);
    }
    std::size_t available() const { return buffer_.size() - pos_; }
    void complete();

    const bool lf_ok_; // responses: LF-only line ends in the head
    std::string buffer_;
    std::size_t pos_ = 0;  // where the unparsed bytes start
    bool started_ = false; // a byte of the current message was consumed
    bool eof_ = false;
    Stage stage_ = Stage::START_LINE;
    std::size_t remaining_ = 0; // of a Content-Length body or a chunk
    std::exception_ptr error_;  // sticky
    std::deque<Message> done_;
};

} // namespace detail

class RequestParser : public detail::MessageParser<Request> {
public:
    explicit RequestParser(Limits limits = {}) : MessageParser(limits, false) {}
    // headers complete, body still arriving (100-continue, the header timeout)
    std::optional<Request> pending() const;

private:
    void start_line(std::string_view line) override;
    detail::Framing framing(std::size_t& length) override;
};

class ResponseParser : public detail::MessageParser<Response> {
public:
    explicit ResponseParser(Limits limits = {}) : MessageParser(limits, true) {}
    void expect(std::string method); // a FIFO, one per request sent (default GET)

private:
    void start_line(std::string_view line) override;
    detail::Framing framing(std::size_t& length) override;
    bool keep(const Response& r) override;
    std::deque<std::string> methods_;
};

} // namespace aio::http
