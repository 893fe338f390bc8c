// Graded property tests of the parsers: every split point gives the same
// messages; random mutations never crash, never loop, and end in messages or
// an HttpError (seeded, so a failure is repeatable).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "http.hpp"

using aio::http::HttpError;
using aio::http::Request;
using aio::http::RequestParser;
using aio::http::Response;
using aio::http::ResponseParser;

namespace {

const std::string REQUESTS =
    "\r\nGET /a?b=c HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n"
    "POST /form HTTP/1.1\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\nhello world"
    "PUT /c HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nabcd\r\n3\r\nefg\r\n0\r\n"
    "T: 1\r\n\r\n"
    "DELETE /d HTTP/1.1\r\nContent-Length: 0\r\n\r\n";

const std::string RESPONSES =
    "HTTP/1.1 100 Continue\r\n\r\n"
    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n"
    "HTTP/1.1 204 No Content\r\n\r\n"
    "HTTP/1.0 200\nServer: old\n\nuntil the end";

std::string describe(const Request& r) {
    std::string s = r.method + " " + r.target + " " + std::to_string(r.version) + "\n";
    for (const auto& [name, value] : r.headers)
        s += name + "=" + value + "\n";
    return s + "[" + r.body + "]\n";
}

std::string describe(const Response& r) {
    std::string s = std::to_string(r.status) + " " + r.reason + "\n";
    for (const auto& [name, value] : r.headers)
        s += name + "=" + value + "\n";
    return s + "[" + r.body + "]\n";
}

template <class Parser>
std::string parse_in_pieces(const std::string& bytes, std::vector<std::size_t> cuts) {
    Parser parser;
    if constexpr (std::is_same_v<Parser, ResponseParser>)
        for (int i = 0; i < 5; ++i)
            parser.expect("GET");
    std::size_t from = 0;
    cuts.push_back(bytes.size());
    std::string out;
    for (std::size_t cut : cuts) {
        parser.feed(std::string_view(bytes).substr(from, cut - from));
        from = cut;
        while (auto m = parser.next())
            out += describe(*m);
    }
    parser.feed_eof();
    while (auto m = parser.next())
        out += describe(*m);
    return out;
}

} // namespace

TEST(ParserProperty, EverySplitPointGivesTheSameRequests) {
    std::string whole = parse_in_pieces<RequestParser>(REQUESTS, {});
    ASSERT_EQ(std::count(whole.begin(), whole.end(), '['), 4)
        << "ch11.feed: four requests in the sample";
    for (std::size_t i = 0; i <= REQUESTS.size(); ++i)
        for (std::size_t j = i; j <= REQUESTS.size(); j += 7)
            ASSERT_EQ(parse_in_pieces<RequestParser>(REQUESTS, {i, j}), whole)
                << "ch11.feed: split at bytes " << i << " and " << j
                << " the requests must be the same";
    std::string bytewise;
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < REQUESTS.size(); ++i)
        every.push_back(i);
    EXPECT_EQ(parse_in_pieces<RequestParser>(REQUESTS, every), whole)
        << "ch11.take_line: fed one byte at a time, the same requests";
}

TEST(ParserProperty, EverySplitPointGivesTheSameResponses) {
    std::string whole = parse_in_pieces<ResponseParser>(RESPONSES, {});
    ASSERT_EQ(std::count(whole.begin(), whole.end(), '['), 4)
        << "ch11.feed_eof: four final responses, the last one ends at EOF";
    for (std::size_t i = 0; i <= RESPONSES.size(); ++i)
        for (std::size_t j = i; j <= RESPONSES.size(); j += 5)
            ASSERT_EQ(parse_in_pieces<ResponseParser>(RESPONSES, {i, j}), whole)
                << "ch11.feed: split at bytes " << i << " and " << j
                << " the responses must be the same";
}

// Flip, insert, delete or duplicate bytes of valid messages; feed the result in
// random pieces. Each case must end (the test has a time limit) with messages
// or an HttpError: any other exception, a crash or a hang fails.
TEST(ParserProperty, RandomMutationsYieldMessagesOrHttpError) {
    std::mt19937_64 rng(20261207);
    const char interesting[] = "\r\n :;0123456789abcdefABCDEF\t\x00\x7f/HTTP-,";
    int refused = 0, parsed = 0;
    for (int round = 0; round < 4000; ++round) {
        std::string bytes = round % 2 ? REQUESTS : RESPONSES;
        int edits = 1 + static_cast<int>(rng() % 6);
        for (int e = 0; e < edits && !bytes.empty(); ++e) {
            std::size_t at = rng() % bytes.size();
            char c = interesting[rng() % (sizeof interesting - 1)];
            switch (rng() % 4) {
            case 0: bytes[at] = c; break;
            case 1: bytes.insert(bytes.begin() + static_cast<long>(at), c); break;
            case 2: bytes.erase(at, 1 + rng() % 8); break;
            default: bytes.insert(at, bytes.substr(at, 1 + rng() % 40)); break;
            }
        }
        try {
            std::size_t from = 0;
            auto feed_all = [&](auto& parser) {
                while (from < bytes.size()) {
                    std::size_t n = 1 + rng() % 64;
                    parser.feed(std::string_view(bytes).substr(from, n));
                    from += n;
                    while (parser.next())
                        ++parsed;
                }
                parser.feed_eof();
                while (parser.next())
                    ++parsed;
            };
            if (round % 2) {
                RequestParser parser;
                feed_all(parser);
            } else {
                ResponseParser parser;
                feed_all(parser);
            }
        } catch (const HttpError& e) {
            ++refused;
            ASSERT_TRUE(e.status == 400 || e.status == 413 || e.status == 414 || e.status == 431 ||
                        e.status == 501 || e.status == 505)
                << "ch11.feed: an HttpError carries a status a server answers, got " << e.status;
        } catch (const std::exception& e) {
            FAIL() << "ch11.feed: round " << round << ": only HttpError may come out, got "
                   << e.what();
        }
    }
    std::printf("mutations: %d HttpErrors, %d messages parsed\n", refused, parsed);
    EXPECT_GT(refused, 1000) << "ch11.feed: most mutations are refused";
    EXPECT_GT(parsed, 1000) << "ch11.feed: the untouched messages still come out";
}
