// The JSON parser: recursive descent over the text, one function per grammar
// rule of RFC 8259 (Python: json.decoder's scanner). Errors name the byte.
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "json.hpp"

namespace aio::json {

namespace {

class Parser {
public:
    explicit Parser(std::string_view text) : text_(text) {}

    Value document() {
        Value v = value(0);
        skip_space();
        if (pos_ != text_.size()) fail("extra data after the value");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw ValueError("json: " + what + " at byte " + std::to_string(pos_));
    }
    bool at_end() const { return pos_ >= text_.size(); }
    char peek() const { return at_end() ? '\0' : text_[pos_]; }

    void skip_space() {
        while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
            ++pos_;
    }

    void expect(char c, const char* what) {
        if (peek() != c || at_end()) fail(std::string("expected ") + what);
        ++pos_;
    }

    Value value(std::size_t depth) {
        skip_space();
        if (at_end()) fail("expected a value, found the end");
        switch (peek()) {
        case '{': return object(depth + 1);
        case '[': return array(depth + 1);
        case '"': return Value(string());
        case 't': return literal("true", Value(true));
        case 'f': return literal("false", Value(false));
        case 'n': return literal("null", Value());
        default: return number();
        }
    }

    Value literal(std::string_view word, Value v) {
        if (text_.substr(pos_, word.size()) != word) fail("unexpected character");
        pos_ += word.size();
        return v;
    }

    void check_depth(std::size_t depth) {
        if (depth > MAX_DEPTH) fail("nesting deeper than " + std::to_string(MAX_DEPTH));
    }

    Value array(std::size_t depth) {
        check_depth(depth);
        ++pos_; // '['
        Value v = Value::array();
        skip_space();
        if (peek() == ']' && !at_end()) {
            ++pos_;
            return v;
        }
        for (;;) {
            v.push_back(value(depth));
            skip_space();
            if (peek() == ']' && !at_end()) {
                ++pos_;
                return v;
            }
            expect(',', "',' or ']'");
        }
    }

    Value object(std::size_t depth) {
        check_depth(depth);
        ++pos_; // '{'
        Value v = Value::object();
        skip_space();
        if (peek() == '}' && !at_end()) {
            ++pos_;
            return v;
        }
        for (;;) {
            skip_space();
            if (peek() != '"' || at_end()) fail("expected a string key");
            std::string key = string();
            skip_space();
            expect(':', "':'");
            v[key] = value(depth);
            skip_space();
            if (peek() == '}' && !at_end()) {
                ++pos_;
                return v;
            }
            expect(',', "',' or '}'");
        }
    }

    unsigned hex4() {
        if (pos_ + 4 > text_.size()) fail("truncated \\u escape");
        unsigned code = 0;
        auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, code, 16);
        if (ec != std::errc() || end != text_.data() + pos_ + 4) fail("bad \\u escape");
        pos_ += 4;
        return code;
    }

    static void append_utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    // \uD83D\uDE00 is one code point; a lone surrogate is refused.
    void unicode_escape(std::string& out) {
        unsigned cp = hex4();
        if (cp >= 0xDC00 && cp <= 0xDFFF) fail("lone low surrogate");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (text_.substr(pos_, 2) != "\\u") fail("high surrogate without its pair");
            pos_ += 2;
            unsigned low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("high surrogate without its pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(out, cp);
    }

    std::string string() {
        ++pos_; // '"'
        std::string out;
        for (;;) {
            if (at_end()) fail("unterminated string");
            char c = text_[pos_];
            if (c == '"') {
                ++pos_;
                return out;
            }
            if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
            ++pos_;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (at_end()) fail("unterminated string");
            char e = text_[pos_++];
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': unicode_escape(out); break;
            default: --pos_; fail("bad escape");
            }
        }
    }

    void digits() {
        if (at_end() || peek() < '0' || peek() > '9') fail("expected a digit");
        while (!at_end() && peek() >= '0' && peek() <= '9')
            ++pos_;
    }

    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    Value number() {
        std::size_t start = pos_;
        bool integral = true;
        if (peek() == '-') ++pos_;
        if (peek() == '0' && !at_end()) {
            ++pos_;
        } else {
            if (at_end() || peek() < '1' || peek() > '9') fail("unexpected character");
            digits();
        }
        if (peek() == '.' && !at_end()) {
            integral = false;
            ++pos_;
            digits();
        }
        if ((peek() == 'e' || peek() == 'E') && !at_end()) {
            integral = false;
            ++pos_;
            if (peek() == '+' || peek() == '-') ++pos_;
            digits();
        }
        std::string_view s = text_.substr(start, pos_ - start);
        if (integral) {
            std::int64_t i = 0;
            auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
            if (ec == std::errc() && end == s.data() + s.size()) return Value(i);
        }
        // strtod (not from_chars for double: older libstdc++ lacks it). Huge: inf, refused.
        double d = std::strtod(std::string(s).c_str(), nullptr);
        if (!std::isfinite(d)) {
            pos_ = start;
            fail("number out of range");
        }
        return Value(d);
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

} // namespace

Value parse(std::string_view text) {
    return Parser(text).document();
}

} // namespace aio::json
