// The given JSON code (json.hpp): 0-point checks of the kit itself.
#include <gtest/gtest.h>

#include <string>

#include "json.hpp"

using aio::json::parse;
using aio::json::Value;

TEST(Json, ParsesEveryKindAndDumpsItBackCompact) {
    Value v = parse(R"( {"a": [1, 2.5, -3e2, true, false, null], "b": "x\ny", "c": {}} )");
    EXPECT_EQ(v["a"][0].as_int(), 1) << "json: an integer literal is an exact int64";
    EXPECT_EQ(v["a"][1].as_double(), 2.5) << "json: a fraction is a double";
    EXPECT_EQ(v["a"][2].as_double(), -300.0) << "json: an exponent is a double";
    EXPECT_TRUE(v["a"][5].is_null()) << "json: null";
    EXPECT_EQ(v["b"].as_string(), "x\ny") << "json: escapes decoded";
    EXPECT_EQ(v.dump(), R"({"a":[1,2.5,-300.0,true,false,null],"b":"x\ny","c":{}})")
        << "json: dump is compact and keeps the member order";
}

TEST(Json, ObjectsKeepInsertionOrder) {
    Value v = parse(R"({"z": 1, "a": 2, "m": 3})");
    std::string keys;
    for (const auto& [key, value] : v.items())
        keys += key;
    EXPECT_EQ(keys, "zam") << "json: members come out in the order they were written";
    Value built;
    built["second"] = 2;
    built["first"] = 1;
    EXPECT_EQ(built.dump(), R"({"second":2,"first":1})") << "json: insertion order, as a dict";
    EXPECT_EQ(parse(R"({"a":1,"b":2})"), parse(R"({"b":2,"a":1.0})"))
        << "json: objects compare regardless of order, 1 == 1.0";
}

TEST(Json, ParseErrorsNameTheByte) {
    const char* bad[] = {"",      "{",     "[1,]",    "{\"a\" 1}",   "tru", "01",       "1.",
                         "\"abc", "[1] x", "\"\\x\"", "\"\\ud800\"", "-",   "{\"a\":}", "\"\x01\""};
    for (const char* text : bad) {
        try {
            parse(text);
            ADD_FAILURE() << "json: '" << text << "' must be refused";
        } catch (const aio::ValueError& e) {
            EXPECT_NE(std::string(e.what()).find(" at byte "), std::string::npos)
                << "json: the error names the byte: " << e.what();
        }
    }
    try {
        parse("[1, 2, x]");
    } catch (const aio::ValueError& e) {
        EXPECT_NE(std::string(e.what()).find("at byte 7"), std::string::npos)
            << "json: the x is at byte 7: " << e.what();
    }
}

TEST(Json, NestingDeeperThan512IsRefused) {
    std::string ok = std::string(512, '[') + std::string(512, ']');
    EXPECT_EQ(parse(ok).size(), 1u) << "json: 512 levels are fine";
    std::string deep = std::string(513, '[') + std::string(513, ']');
    EXPECT_THROW(parse(deep), aio::ValueError) << "json: 513 levels are refused";
    std::string huge(100000, '[');
    EXPECT_THROW(parse(huge), aio::ValueError) << "json: no stack overflow on deep input";
}

TEST(Json, UnicodeEscapesWithSurrogatePairs) {
    EXPECT_EQ(parse(R"("\u00e9")").as_string(), "\xc3\xa9") << "json: U+00E9 in UTF-8";
    EXPECT_EQ(parse(R"("\ud83d\ude00")").as_string(), "\xf0\x9f\x98\x80")
        << "json: a surrogate pair is one code point";
    EXPECT_EQ(Value("a\x01").dump(), R"("a\u0001")") << "json: control characters escaped";
}

TEST(Json, IntegersStayExactAndWrongKindsAreValueErrors) {
    EXPECT_EQ(parse("9223372036854775807").as_int(), INT64_MAX) << "json: int64 max is exact";
    EXPECT_TRUE(parse("9223372036854775808").is_number()) << "json: beyond int64: a double";
    EXPECT_THROW(parse("1.5").as_int(), aio::ValueError) << "json: a fraction is not an int";
    EXPECT_THROW(Value("x").as_int(), aio::ValueError) << "json: a string is not a number";
    const Value empty = parse("{}");
    EXPECT_THROW(empty["missing"], aio::KeyError) << "json: a missing key";
    const Value array = parse("[1]");
    EXPECT_THROW(array["a"], aio::ValueError) << "json: a key into an array";
    EXPECT_THROW(Value(std::numeric_limits<double>::infinity()).dump(), aio::ValueError)
        << "json: infinity has no JSON form";
    Value list;
    list.push_back(std::size_t{3});
    EXPECT_EQ(list.dump(), "[3]") << "json: a null becomes [] on push_back";
    EXPECT_EQ(Value(0.1).dump(), "0.1") << "json: shortest round-trip form";
}
