// Graded tests, the sans-I/O request and response parsers (http_parser.cpp,
// http_rules.cpp). Cases follow aiohttp's test_http_parser.py and h11.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http.hpp"

using aio::http::HttpError;
using aio::http::Limits;
using aio::http::Request;
using aio::http::RequestParser;
using aio::http::Response;
using aio::http::ResponseParser;

namespace {

std::vector<Request> requests_of(const std::string& bytes, Limits limits = {}) {
    RequestParser parser(limits);
    parser.feed(bytes);
    std::vector<Request> out;
    while (auto r = parser.next())
        out.push_back(*r);
    return out;
}

// The status of the HttpError the bytes raise, 0 if none.
int refusal(const std::string& bytes, Limits limits = {}) {
    RequestParser parser(limits);
    try {
        parser.feed(bytes);
        parser.feed_eof();
    } catch (const HttpError& e) {
        return e.status;
    }
    return 0;
}

} // namespace

TEST(Parser, ParsesAGetRequestLineAndFields) {
    auto got = requests_of("GET /user/7?x=1 HTTP/1.1\r\nHost: a\r\nX-Empty:\r\n"
                           "Accept:  text/plain \t\r\n\r\n");
    ASSERT_EQ(got.size(), 1u) << "ch11.head: one request with its empty line";
    EXPECT_EQ(got[0].method, "GET") << "ch11.request_line: the method";
    EXPECT_EQ(got[0].target, "/user/7?x=1") << "ch11.request_line: the target as sent";
    EXPECT_EQ(got[0].version, 11) << "ch11.version: HTTP/1.1 is 11";
    EXPECT_EQ(got[0].headers.size(), 3u) << "ch11.field_line: three fields";
    EXPECT_EQ(got[0].headers.get("accept"), "text/plain")
        << "ch11.field_line: SP/HT around a value are trimmed, lookups ignore case";
    EXPECT_EQ(got[0].headers.get("X-Empty"), "") << "ch11.field_line: an empty value is fine";
    EXPECT_EQ(got[0].body, "") << "ch11.framing: no Content-Length, no body";
}

TEST(Parser, LeadingEmptyLinesAreSkippedAndHttp10IsTen) {
    auto got = requests_of("\r\n\r\nGET / HTTP/1.0\r\n\r\n");
    ASSERT_EQ(got.size(), 1u) << "ch11.head: CRLFs before a request line are ignored";
    EXPECT_EQ(got[0].version, 10) << "ch11.version: HTTP/1.0 is 10";
}

TEST(Parser, ContentLengthBodyAcrossFeeds) {
    RequestParser parser;
    parser.feed("POST /p HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123");
    EXPECT_FALSE(parser.next()) << "ch11.body: 4 of 10 bytes: no request yet";
    EXPECT_FALSE(parser.idle()) << "ch11.body: a partial message is buffered";
    parser.feed("456789GET");
    auto r = parser.next();
    ASSERT_TRUE(r) << "ch11.body: the tenth byte completes the request";
    EXPECT_EQ(r->body, "0123456789") << "ch11.body: exactly Content-Length bytes";
    EXPECT_FALSE(parser.next()) << "ch11.body: GET is the start of the next request only";
}

TEST(Parser, ChunkedBodyWithExtensionsAndTrailers) {
    auto got = requests_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "5;name=value\r\nhello\r\n6 ; x\r\n world\r\n0\r\n"
                           "Trailer-A: 1\r\nTrailer-B: 2\r\n\r\n");
    ASSERT_EQ(got.size(), 1u) << "ch11.chunked: the 0 chunk and the trailers end the message";
    EXPECT_EQ(got[0].body, "hello world")
        << "ch11.chunked: chunks decoded, extensions and trailers ignored";
}

TEST(Parser, PipelinedRequestsComeOutInOrder) {
    auto got =
        requests_of("GET /1 HTTP/1.1\r\n\r\nPOST /2 HTTP/1.1\r\nContent-Length: 2\r\n\r\n"
                    "ab"
                    "PUT /3 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nc\r\n0\r\n\r\n"
                    "GET /4 HTTP/1.1\r\n\r\n");
    ASSERT_EQ(got.size(), 4u) << "ch11.feed: four pipelined requests in one feed";
    EXPECT_EQ(got[0].target + got[1].target + got[2].target + got[3].target, "/1/2/3/4")
        << "ch11.feed: in the order they were sent";
    EXPECT_EQ(got[1].body + got[2].body, "abc") << "ch11.feed: each with its own body";
}

TEST(Parser, RefusesRequestSmuggling) {
    EXPECT_EQ(refusal("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"),
              400)
        << "ch11.framing: Content-Length with Transfer-Encoding is 400";
    EXPECT_EQ(refusal("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"), 400)
        << "ch11.framing: two different Content-Lengths are 400";
    EXPECT_EQ(refusal("POST / HTTP/1.1\r\nContent-Length: +3\r\n\r\nabc"), 400)
        << "ch11.framing: a Content-Length that is not all digits is 400";
    EXPECT_EQ(refusal("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"), 400)
        << "ch11.framing: a Content-Length that overflows is 400";
    auto same = requests_of("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab");
    ASSERT_EQ(same.size(), 1u) << "ch11.framing: identical duplicate Content-Lengths count as one";
    EXPECT_EQ(same[0].body, "ab") << "ch11.framing: identical duplicates: that length";
}

TEST(Parser, UnknownTransferCodingIs501) {
    EXPECT_EQ(refusal("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"), 501)
        << "ch11.framing: gzip is not a coding the kit decodes: 501";
    EXPECT_EQ(refusal("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), 501)
        << "ch11.framing: only a single chunked is accepted: 501";
    auto got = requests_of("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n");
    EXPECT_EQ(got.size(), 1u) << "ch11.framing: coding names ignore case";
}

TEST(Parser, RefusesBareCrAndBareLf) {
    EXPECT_EQ(refusal("GET / HTTP/1.1\nHost: a\r\n\r\n"), 400)
        << "ch11.take_line: a bare LF ends no request line";
    EXPECT_EQ(refusal("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n"), 400)
        << "ch11.take_line: a bare CR inside a field is 400";
    EXPECT_EQ(refusal("GET / HTTP/1.1\r\nHost: a\r\r\n\r\n"), 400)
        << "ch11.take_line: CR CR LF is a bare CR";
}

TEST(Parser, RefusesBadFieldLines) {
    EXPECT_EQ(refusal("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), 400)
        << "ch11.field_line: white space before the colon is 400";
    EXPECT_EQ(refusal("GET / HTTP/1.1\r\nA: b\r\n  folded\r\n\r\n"), 400)
        << "ch11.field_line: an obs-fold line is 400";
    EXPECT_EQ(refusal("GET / HTTP/1.1\r\n: b\r\n\r\n"), 400)
        << "ch11.field_line: an empty name is 400";
    EXPECT_EQ(refusal("GET / HTTP/1.1\r\nno colon here\r\n\r\n"), 400)
        << "ch11.field_line: a line without a colon is 400";
    EXPECT_EQ(refusal("GET / HTTP/1.1\r\nA(b): c\r\n\r\n"), 400)
        << "ch11.field_line: a name that is not a token is 400";
    EXPECT_EQ(refusal(std::string("GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", 27)), 400)
        << "ch11.field_line: a NUL in a value is 400";
}

TEST(Parser, RefusesBadRequestLines) {
    EXPECT_EQ(refusal("G(T / HTTP/1.1\r\n\r\n"), 400)
        << "ch11.request_line: a method that is not a token is 400";
    EXPECT_EQ(refusal("GET HTTP/1.1\r\n\r\n"), 400)
        << "ch11.request_line: a request line without a target is 400";
    EXPECT_EQ(refusal("GET /a b HTTP/1.1\r\n\r\n"), 400)
        << "ch11.request_line: a space inside the target is 400";
    EXPECT_EQ(refusal("GET  / HTTP/1.1\r\n\r\n"), 400)
        << "ch11.request_line: an empty target between two spaces is 400";
}

TEST(Parser, MalformedVersionIs400AndUnsupportedIs505) {
    EXPECT_EQ(refusal("GET / HT/11\r\n\r\n"), 400) << "ch11.version: HT/11 is malformed: 400";
    EXPECT_EQ(refusal("GET / http/1.1\r\n\r\n"), 400)
        << "ch11.version: the version is case-sensitive: 400";
    EXPECT_EQ(refusal("GET / HTTP/1.10\r\n\r\n"), 400) << "ch11.version: HTTP/1.10 is 400";
    EXPECT_EQ(refusal("GET / HTTP/2.0\r\n\r\n"), 505) << "ch11.version: HTTP/2.0 is 505";
    EXPECT_EQ(refusal("GET / HTTP/0.9\r\n\r\n"), 505) << "ch11.version: HTTP/0.9 is 505";
}

TEST(Parser, LimitsAre414And431And413) {
    Limits small{.max_line = 20, .max_field = 20, .max_headers = 2, .max_body = 8};
    EXPECT_EQ(refusal("GET /" + std::string(20, 'a') + " HTTP/1.1\r\n\r\n", small), 414)
        << "ch11.take_line: a request line over max_line is 414";
    EXPECT_EQ(refusal("GET /" + std::string(100, 'a'), small), 414)
        << "ch11.take_line: refused as soon as the buffered part is over the limit";
    EXPECT_EQ(refusal("GET / HTTP/1.1\r\nX: " + std::string(30, 'b') + "\r\n\r\n", small), 431)
        << "ch11.take_line: a field line over max_field is 431";
    EXPECT_EQ(refusal("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", small), 431)
        << "ch11.field_line: more than max_headers fields is 431";
    EXPECT_EQ(refusal("POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\n", small), 413)
        << "ch11.framing: a Content-Length over max_body is 413 at the headers";
    Limits small_body{.max_body = 8};
    EXPECT_EQ(refusal("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n"
                      "5\r\nfghij\r\n0\r\n\r\n",
                      small_body),
              413)
        << "ch11.chunked: chunks that add up past max_body are 413 (the total counts)";
    auto exact = requests_of("GET /" + std::string(5, 'a') + " HTTP/1.1\r\n\r\n", small);
    EXPECT_EQ(exact.size(), 1u) << "ch11.take_line: a line of exactly max_line is fine";
}

// Found by make fuzz (tests/support/fuzz/corpus/request/found-01-line-limit-vs-bare-cr):
// a request line over max_line with a bare CR past the limit was 400 fed whole
// and 414 fed in pieces. The byte that first proves an error decides its status.
TEST(Parser, TheFirstByteThatProvesAnErrorDecidesItsStatus) {
    Limits small{.max_line = 20};
    auto every_split = [&](const std::string& bytes) {
        std::vector<int> statuses;
        for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
            RequestParser parser(small);
            try {
                parser.feed(bytes.substr(0, cut));
                parser.feed(bytes.substr(cut));
                statuses.push_back(0);
            } catch (const HttpError& e) {
                statuses.push_back(e.status);
            }
        }
        return statuses;
    };
    std::string late_cr = "GET /" + std::string(30, 'a') + "\rb HTTP/1.1\r\n\r\n";
    EXPECT_EQ(refusal(late_cr, small), 414)
        << "ch11.take_line: a line already over max_line before its bare CR is 414 fed whole, "
           "as it is when the first max_line + 1 bytes come alone";
    for (int status : every_split(late_cr))
        EXPECT_EQ(status, 414) << "ch11.take_line: the same bytes split in two give the same 414";
    std::string early_cr = "GET /a\rb" + std::string(30, 'a') + " HTTP/1.1\r\n\r\n";
    EXPECT_EQ(refusal(early_cr, small), 400)
        << "ch11.take_line: a bare CR within max_line is 400, though the line goes on past it";
    for (int status : every_split(early_cr))
        EXPECT_EQ(status, 400) << "ch11.take_line: the same bytes split in two give the same 400";
}

TEST(Parser, BadChunksAre400) {
    std::string head = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    EXPECT_EQ(refusal(head + "xyz\r\n"), 400) << "ch11.chunk_size: a size that is not hex";
    EXPECT_EQ(refusal(head + "\r\n"), 400) << "ch11.chunk_size: an empty size line";
    EXPECT_EQ(refusal(head + "ffffffffffffffffff\r\n"), 400)
        << "ch11.chunk_size: a size that overflows is 400";
    EXPECT_EQ(refusal(head + "3\r\nabcX\r\n0\r\n\r\n"), 400)
        << "ch11.chunked: chunk data not followed by CRLF";
    EXPECT_EQ(refusal(head + "3\r\nabcXY0\r\n\r\n"), 400)
        << "ch11.chunked: the two bytes after chunk data must be CR LF, not any two bytes";
    EXPECT_EQ(refusal(head + "3\nabc\r\n0\r\n\r\n"), 400)
        << "ch11.chunked: chunk lines are strict: a bare LF is 400";
    auto hex = requests_of(head + "A\r\n0123456789\r\n0\r\n\r\n");
    ASSERT_EQ(hex.size(), 1u) << "ch11.chunk_size: the size is hexadecimal (A = 10)";
    EXPECT_EQ(hex[0].body, "0123456789") << "ch11.chunk_size: ten bytes";
}

TEST(Parser, TheErrorIsStickyAndEarlierRequestsStillComeOut) {
    RequestParser parser;
    EXPECT_THROW(parser.feed("GET /ok HTTP/1.1\r\n\r\nGET / HTTP/9.9\r\n\r\n"), HttpError)
        << "ch11.feed: the bad second request throws";
    EXPECT_THROW(parser.feed("GET / HTTP/1.1\r\n\r\n"), HttpError)
        << "ch11.feed: the error is sticky: a later feed rethrows it";
    EXPECT_THROW(parser.feed_eof(), HttpError) << "ch11.feed_eof: feed_eof rethrows it too";
    auto first = parser.next();
    ASSERT_TRUE(first) << "ch11.feed: the request before the bad bytes still comes out";
    EXPECT_EQ(first->target, "/ok") << "ch11.feed: that request";
    EXPECT_FALSE(parser.next()) << "ch11.feed: nothing after the error";
}

TEST(Parser, EofMidMessageIs400AndBetweenMessagesIsFine) {
    RequestParser between;
    between.feed("GET / HTTP/1.1\r\n\r\n");
    EXPECT_TRUE(between.idle()) << "ch11.feed: idle between messages";
    EXPECT_NO_THROW(between.feed_eof()) << "ch11.feed_eof: EOF between messages is a clean end";
    for (std::string partial : {"GET / HT", "GET / HTTP/1.1\r\nA: b\r\n",
                                "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab"}) {
        RequestParser parser;
        parser.feed(partial);
        try {
            parser.feed_eof();
            ADD_FAILURE() << "ch11.feed_eof: EOF after '" << partial << "' must be HttpError 400";
        } catch (const HttpError& e) {
            EXPECT_EQ(e.status, 400) << "ch11.feed_eof: EOF mid-message is 400";
        }
    }
}

TEST(Parser, PendingHasTheHeadWhileTheBodyArrives) {
    RequestParser parser;
    parser.feed("POST /up HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    auto head = parser.pending();
    ASSERT_TRUE(head) << "ch11.head: after the empty line the head is pending";
    EXPECT_EQ(head->headers.get("Expect"), "100-continue") << "ch11.head: with its fields";
    parser.feed("data");
    EXPECT_FALSE(parser.pending()) << "ch11.body: the complete request is no longer pending";
    EXPECT_EQ(parser.next()->body, "data") << "ch11.body: it came out";
}

// Responses.
namespace {
std::vector<Response> responses_of(const std::string& bytes, std::vector<std::string> methods = {},
                                   bool eof = false) {
    ResponseParser parser;
    for (auto& m : methods)
        parser.expect(m);
    parser.feed(bytes);
    if (eof) parser.feed_eof();
    std::vector<Response> out;
    while (auto r = parser.next())
        out.push_back(*r);
    return out;
}
} // namespace

TEST(ResponseParser, StatusLineWithAndWithoutReason) {
    auto got = responses_of("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
                            "HTTP/1.0 200\r\nContent-Length: 2\r\n\r\nok");
    ASSERT_EQ(got.size(), 2u) << "ch11.status_line: two responses";
    EXPECT_EQ(got[0].status, 404) << "ch11.status_line: the code";
    EXPECT_EQ(got[0].reason, "Not Found") << "ch11.status_line: the reason";
    EXPECT_EQ(got[1].status, 200) << "ch11.status_line: a status line without a reason";
    EXPECT_EQ(got[1].version, 10) << "ch11.status_line: its version";
    EXPECT_EQ(got[1].body, "ok") << "ch11.body: its body";
    ResponseParser bad;
    EXPECT_THROW(bad.feed("HTTP/1.1 2000 OK\r\n\r\n"), HttpError)
        << "ch11.status_line: four digits are malformed";
    ResponseParser letters;
    EXPECT_THROW(letters.feed("HTTP/1.1 abc OK\r\n\r\n"), HttpError)
        << "ch11.status_line: a code that is not digits is malformed";
}

TEST(ResponseParser, LfOnlyLineEndsAreAcceptedInAResponseHead) {
    auto got = responses_of("HTTP/1.1 200 OK\nContent-Length: 1\n\nx");
    ASSERT_EQ(got.size(), 1u) << "ch11.take_line: a response may use LF-only line ends";
    EXPECT_EQ(got[0].body, "x") << "ch11.body: and its body follows";
}

TEST(ResponseParser, HeadAnd204And304HaveNoBody) {
    auto got = responses_of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                            "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"
                            "HTTP/1.1 304 Not Modified\r\n\r\n"
                            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
                            {"HEAD", "GET", "GET", "GET"});
    ASSERT_EQ(got.size(), 4u) << "ch11.framing: the answer to HEAD, 204 and 304 have no body";
    EXPECT_EQ(got[3].body, "hi") << "ch11.framing: the next response is read as such";
}

TEST(ResponseParser, AnEofDelimitedBodyCompletesAtEof) {
    ResponseParser parser;
    parser.feed("HTTP/1.1 200 OK\r\n\r\nsome");
    parser.feed(" bytes");
    EXPECT_FALSE(parser.next()) << "ch11.body: without a length the body runs to EOF";
    parser.feed_eof();
    auto r = parser.next();
    ASSERT_TRUE(r) << "ch11.feed_eof: EOF completes an EOF-delimited body";
    EXPECT_EQ(r->body, "some bytes") << "ch11.body: every byte until EOF";
}

TEST(ResponseParser, InterimResponsesAreSkipped) {
    auto got = responses_of("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n"
                            "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
    ASSERT_EQ(got.size(), 1u) << "ch11.status_line: a 1xx answer is skipped";
    EXPECT_EQ(got[0].status, 201) << "ch11.status_line: the final answer comes out";
    EXPECT_EQ(got[0].body, "ok") << "ch11.chunked: its chunked body";
}
