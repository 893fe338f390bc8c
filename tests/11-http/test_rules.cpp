// Graded tests, the rules one at a time (http_rules.cpp, http_lines.cpp):
// versions, start lines, lines, field lines, framing and chunk sizes, each
// called directly, without a parser around them.
#include <gtest/gtest.h>

#include <string>

#include "http.hpp"

using aio::http::Headers;
using aio::http::HttpError;
using aio::http::Request;
using aio::http::Response;
namespace detail = aio::http::detail;

namespace {
template <class F>
int status_of(F f) {
    try {
        f();
    } catch (const HttpError& e) {
        return e.status;
    }
    return 0;
}
} // namespace

TEST(Rules, Versions) {
    EXPECT_EQ(detail::parse_version("HTTP/1.1"), 11) << "ch11.version: HTTP/1.1 is 11";
    EXPECT_EQ(detail::parse_version("HTTP/1.0"), 10) << "ch11.version: HTTP/1.0 is 10";
    EXPECT_EQ(status_of([] { detail::parse_version("HTTP/2.0"); }), 505)
        << "ch11.version: a well-formed version other than 1.0 and 1.1 is 505";
    for (const char* bad : {"HTTP/1", "HTTP/1.", "http/1.1", "HT/11", "HTTP/1.1 ", "HTTP/a.b", ""})
        EXPECT_EQ(status_of([bad] { detail::parse_version(bad); }), 400)
            << "ch11.version: '" << bad << "' is malformed: 400";
}

TEST(Rules, RequestLines) {
    Request r;
    detail::parse_request_line("PATCH /a/b?c=d HTTP/1.0", r);
    EXPECT_EQ(r.method + " " + r.target + " " + std::to_string(r.version), "PATCH /a/b?c=d 10")
        << "ch11.request_line: method, target and version";
    for (const char* bad : {"GET", "GET /", "GET / ", "G@T / HTTP/1.1", "GET /a b HTTP/1.1",
                            " / HTTP/1.1", "GET  HTTP/1.1"}) {
        Request x;
        EXPECT_EQ(status_of([&] { detail::parse_request_line(bad, x); }), 400)
            << "ch11.request_line: '" << bad << "' is 400";
    }
    Request v;
    EXPECT_EQ(status_of([&] { detail::parse_request_line("GET / HTTP/3.0", v); }), 505)
        << "ch11.request_line: the version's own status comes through";
}

TEST(Rules, StatusLines) {
    Response r;
    detail::parse_status_line("HTTP/1.1 503 Service Unavailable Now", r);
    EXPECT_EQ(r.status, 503) << "ch11.status_line: the code";
    EXPECT_EQ(r.reason, "Service Unavailable Now")
        << "ch11.status_line: the reason, spaces and all";
    Response bare;
    detail::parse_status_line("HTTP/1.0 204", bare);
    EXPECT_EQ(bare.status, 204) << "ch11.status_line: no reason at all";
    EXPECT_EQ(bare.version, 10) << "ch11.status_line: the version";
    for (const char* bad : {"HTTP/1.1", "HTTP/1.1 20", "HTTP/1.1 2000", "HTTP/1.1 abc",
                            "HTTP/1.1 200OK", "HTTP/1.1 099 Low"}) {
        Response x;
        EXPECT_EQ(status_of([&] { detail::parse_status_line(bad, x); }), 400)
            << "ch11.status_line: '" << bad << "' is 400";
    }
}

TEST(Rules, LinesEndAtCrLf) {
    std::string buffer = "first\r\nsecond\r\npart";
    std::size_t pos = 0;
    EXPECT_EQ(detail::take_line(buffer, pos, 100, 431, false), "first")
        << "ch11.take_line: the first line, without CRLF";
    EXPECT_EQ(pos, 7u) << "ch11.take_line: pos moves past the CRLF";
    EXPECT_EQ(detail::take_line(buffer, pos, 100, 431, false), "second")
        << "ch11.take_line: the second line";
    EXPECT_FALSE(detail::take_line(buffer, pos, 100, 431, false))
        << "ch11.take_line: an incomplete line: nullopt";
    EXPECT_EQ(pos, 15u) << "ch11.take_line: pos stays at the incomplete line";
    std::size_t at = 0;
    EXPECT_FALSE(detail::take_line("abc\r", at, 100, 431, false))
        << "ch11.take_line: a CR at the end may still get its LF: wait";
    std::size_t lf = 0;
    EXPECT_EQ(detail::take_line("a\nb", lf, 100, 431, true), "a")
        << "ch11.take_line: with lf_ok a bare LF ends a line";
}

TEST(Rules, LineRefusals) {
    auto take = [](std::string text, std::size_t max, bool lf_ok) {
        return status_of([&] {
            std::size_t pos = 0;
            detail::take_line(text, pos, max, 414, lf_ok);
        });
    };
    EXPECT_EQ(take("a\rb\r\n", 100, false), 400) << "ch11.take_line: a bare CR is 400";
    EXPECT_EQ(take("a\rb\n", 100, true), 400) << "ch11.take_line: even where LF is fine";
    EXPECT_EQ(take("ab\n", 100, false), 400) << "ch11.take_line: a bare LF is 400";
    EXPECT_EQ(take("abcdef\r\n", 5, false), 414) << "ch11.take_line: longer than max: the status";
    EXPECT_EQ(take("abcdef", 5, false), 414)
        << "ch11.take_line: refused as soon as the incomplete part is too long";
    EXPECT_EQ(take("abcde\r\n", 5, false), 0) << "ch11.take_line: exactly max is fine";
    EXPECT_EQ(take("abcde\r", 5, false), 0) << "ch11.take_line: the CR is not counted";
}

TEST(Rules, FieldLines) {
    Headers h;
    detail::add_field("Content-Type:  text/html \t", h, 10);
    detail::add_field("X-Empty:", h, 10);
    EXPECT_EQ(h.get("content-type"), "text/html") << "ch11.field_line: the value trimmed";
    EXPECT_EQ(h.get("X-Empty"), "") << "ch11.field_line: an empty value";
    for (const char* bad :
         {" folded", "\tfolded", "NoColon", ": v", "Name : v", "Na me: v", "N\x01: v"}) {
        Headers x;
        EXPECT_EQ(status_of([&] { detail::add_field(bad, x, 10); }), 400)
            << "ch11.field_line: '" << bad << "' is 400";
    }
    Headers nul;
    EXPECT_EQ(status_of([&] { detail::add_field(std::string("A: b\0c", 6), nul, 10); }), 400)
        << "ch11.field_line: a NUL in a value is 400";
    Headers full{{"A", "1"}, {"B", "2"}};
    EXPECT_EQ(status_of([&] { detail::add_field("C: 3", full, 2); }), 431)
        << "ch11.field_line: one more than max_headers is 431";
}

TEST(Rules, Framing) {
    aio::http::Limits limits;
    limits.max_body = 100;
    auto framing = [&](Headers h, std::size_t* length = nullptr) {
        std::size_t n = 0;
        auto f = detail::framing_of_fields(h, limits, n);
        if (length) *length = n;
        return f;
    };
    std::size_t n = 0;
    EXPECT_EQ(framing({{"Content-Length", "42"}}, &n), detail::Framing::LENGTH)
        << "ch11.framing: a Content-Length frames the body";
    EXPECT_EQ(n, 42u) << "ch11.framing: its length";
    EXPECT_EQ(framing({{"Transfer-Encoding", "chunked"}}), detail::Framing::CHUNKED)
        << "ch11.framing: chunked";
    EXPECT_EQ(framing({}), detail::Framing::NONE) << "ch11.framing: neither: NONE";
    EXPECT_EQ(framing({{"Content-Length", "7"}, {"Content-Length", "7"}}, &n),
              detail::Framing::LENGTH)
        << "ch11.framing: identical duplicates are one length";
    auto refused = [&](Headers h) { return status_of([&] { framing(h); }); };
    EXPECT_EQ(refused({{"Content-Length", "5"}, {"Transfer-Encoding", "chunked"}}), 400)
        << "ch11.framing: Content-Length with Transfer-Encoding is 400";
    EXPECT_EQ(refused({{"Content-Length", "5"}, {"Content-Length", "6"}}), 400)
        << "ch11.framing: two different lengths are 400";
    EXPECT_EQ(refused({{"Content-Length", "-1"}}), 400) << "ch11.framing: not all digits: 400";
    EXPECT_EQ(refused({{"Content-Length", ""}}), 400) << "ch11.framing: empty: 400";
    EXPECT_EQ(refused({{"Content-Length", "123456789012345678901234567890"}}), 400)
        << "ch11.framing: an overflowing length is 400";
    EXPECT_EQ(refused({{"Content-Length", "101"}}), 413) << "ch11.framing: over max_body: 413";
    EXPECT_EQ(refused({{"Transfer-Encoding", "gzip"}}), 501) << "ch11.framing: gzip is 501";
    EXPECT_EQ(refused({{"Transfer-Encoding", "chunked, chunked"}}), 501)
        << "ch11.framing: chunked twice is 501";
    EXPECT_EQ(refused({{"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked"}}), 501)
        << "ch11.framing: codings across fields count together: 501";
}

TEST(Rules, ChunkSizes) {
    EXPECT_EQ(detail::parse_chunk_size("1a"), 26u) << "ch11.chunk_size: hexadecimal";
    EXPECT_EQ(detail::parse_chunk_size("FF;name=value"), 255u)
        << "ch11.chunk_size: extensions are ignored";
    EXPECT_EQ(detail::parse_chunk_size("0 ; x"), 0u) << "ch11.chunk_size: white space before ';'";
    for (const char* bad : {"", "g", "-1", "0x10", "1 2", "ffffffffffffffffff", ";ext"})
        EXPECT_EQ(status_of([bad] { detail::parse_chunk_size(bad); }), 400)
            << "ch11.chunk_size: '" << bad << "' is 400";
}
