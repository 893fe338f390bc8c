// Graded tests, the message helpers (http_message.cpp, http_client.cpp's
// URLs): percent-decoding, the query, keep-alive, the bytes of a response,
// URLs and Locations.
#include <gtest/gtest.h>

#include <string>

#include "http.hpp"

using aio::http::Request;
using aio::http::Response;
namespace detail = aio::http::detail;

TEST(Messages, PercentDecoding) {
    EXPECT_EQ(aio::http::percent_decode("%41%2fb%20c"), "A/b c")
        << "ch11.percent_decode: %XX escapes";
    EXPECT_EQ(aio::http::percent_decode("a+b"), "a+b")
        << "ch11.percent_decode: '+' stays in a path";
    EXPECT_EQ(aio::http::percent_decode("a+b", true), "a b")
        << "ch11.percent_decode: '+' is a space in a query";
    EXPECT_EQ(aio::http::percent_decode("100%", true), "100%")
        << "ch11.percent_decode: a '%' without two hex digits stays";
    EXPECT_EQ(aio::http::percent_decode("%zz%4"), "%zz%4")
        << "ch11.percent_decode: bad escapes stay";
    Request r;
    r.target = "/a%20b/c?x=1";
    EXPECT_EQ(r.path(), "/a b/c") << "ch11.percent_decode: path() is decoded, without the query";
}

TEST(Messages, QueryParameters) {
    Request r;
    r.target = "/s?q=a+b%21&empty=&flag&q=second";
    EXPECT_EQ(r.query("q"), "a b!") << "ch11.query: the first q, decoded";
    EXPECT_EQ(r.query("empty"), "") << "ch11.query: an empty value";
    EXPECT_EQ(r.query("flag"), "") << "ch11.query: a name without '='";
    EXPECT_FALSE(r.query("missing")) << "ch11.query: absent: nullopt";
    Request encoded;
    encoded.target = "/s?q=a%26b%3Dc&r=1";
    EXPECT_EQ(encoded.query("q"), "a&b=c")
        << "ch11.query: an encoded & or = is part of the value: split first, then decode";
    Request none;
    none.target = "/plain";
    EXPECT_FALSE(none.query("q")) << "ch11.query: no query at all: nullopt";
}

TEST(Messages, KeepAlive) {
    Request r;
    EXPECT_TRUE(r.keep_alive()) << "ch11.keep_alive: HTTP/1.1 stays open by default";
    r.headers.set("Connection", "Close");
    EXPECT_FALSE(r.keep_alive()) << "ch11.keep_alive: 'Connection: close' (any case) closes";
    r.headers.set("Connection", "upgrade, close");
    EXPECT_FALSE(r.keep_alive()) << "ch11.keep_alive: close listed among other tokens";
    Request old;
    old.version = 10;
    EXPECT_FALSE(old.keep_alive()) << "ch11.keep_alive: HTTP/1.0 closes by default";
    old.headers.set("Connection", "Keep-Alive");
    EXPECT_TRUE(old.keep_alive()) << "ch11.keep_alive: 1.0 with keep-alive stays open";
    Response answer;
    answer.version = 10;
    EXPECT_FALSE(answer.keep_alive()) << "ch11.keep_alive: a 1.0 response closes by default";
}

TEST(Messages, SerializedResponses) {
    Response r = aio::http::text_response("hello", 201);
    std::string bytes = aio::http::serialize(r);
    EXPECT_EQ(bytes.rfind("HTTP/1.1 201 Created\r\n", 0), 0u) << "ch11.serialize: the status line";
    EXPECT_NE(bytes.find("\r\nContent-Length: 5\r\n"), std::string::npos)
        << "ch11.serialize: Content-Length added";
    EXPECT_NE(bytes.find("\r\nDate: "), std::string::npos) << "ch11.serialize: Date added";
    EXPECT_NE(bytes.find("\r\nServer: "), std::string::npos) << "ch11.serialize: Server added";
    EXPECT_EQ(bytes.substr(bytes.size() - 9), "\r\n\r\nhello") << "ch11.serialize: then the body";
    std::string head = aio::http::serialize(r, true);
    EXPECT_NE(head.find("Content-Length: 5"), std::string::npos)
        << "ch11.serialize: HEAD keeps GET's Content-Length";
    EXPECT_EQ(head.substr(head.size() - 4), "\r\n\r\n") << "ch11.serialize: HEAD has no body";
    Response teapot;
    teapot.status = 418;
    teapot.reason = "Short";
    teapot.headers.set("Date", "then");
    std::string t = aio::http::serialize(teapot);
    EXPECT_EQ(t.rfind("HTTP/1.1 418 Short\r\n", 0), 0u) << "ch11.serialize: a reason of its own";
    EXPECT_EQ(t.find("Date: then"), t.rfind("Date:"))
        << "ch11.serialize: a Date already set is kept";
    Response empty;
    empty.status = 204;
    empty.body = "ignored";
    std::string e = aio::http::serialize(empty);
    EXPECT_EQ(e.find("Content-Length"), std::string::npos)
        << "ch11.serialize: 204 has no Content-Length";
    EXPECT_EQ(e.find("ignored"), std::string::npos) << "ch11.serialize: and no body";
}

TEST(Messages, Urls) {
    detail::Url u = detail::parse_url("http://example.com:8080/a/b?c=d");
    EXPECT_EQ(u.host + " " + std::to_string(u.port) + " " + u.target, "example.com 8080 /a/b?c=d")
        << "ch11.parse_url: host, port, target";
    detail::Url bare = detail::parse_url("HTTP://h");
    EXPECT_EQ(bare.host + " " + std::to_string(bare.port) + " " + bare.target, "h 80 /")
        << "ch11.parse_url: the scheme ignores case; port 80 and / by default";
    EXPECT_EQ(detail::parse_url("http://h?x=1").target, "/?x=1")
        << "ch11.parse_url: a query without a path";
    for (const char* bad : {"https://h/", "ftp://h/", "h/path", "http://", "http://h:99999/",
                            "http://h:x/", "http://h:80x/", "http://h:0/"})
        EXPECT_THROW(detail::parse_url(bad), aio::ValueError)
            << "ch11.parse_url: '" << bad << "' is a ValueError";
}

TEST(Messages, ResolvedLocations) {
    detail::Url base = detail::parse_url("http://h:81/a/b?q=1");
    EXPECT_EQ(detail::resolve_url(base, "http://x/y"), "http://x/y")
        << "ch11.resolve_url: an absolute URL as is";
    EXPECT_EQ(detail::resolve_url(base, "/c"), "http://h:81/c")
        << "ch11.resolve_url: an absolute path on the same host:port";
    EXPECT_EQ(detail::resolve_url(base, "c?d=2"), "http://h:81/a/c?d=2")
        << "ch11.resolve_url: a relative path replaces the last segment";
    EXPECT_EQ(detail::resolve_url(detail::parse_url("http://h/a/b?x=/c"), "d"), "http://h/a/d")
        << "ch11.resolve_url: the base's query is no part of its directory";
    EXPECT_EQ(detail::resolve_url(base, "//other/z"), "http://other/z")
        << "ch11.resolve_url: a network-path reference keeps the scheme";
}
