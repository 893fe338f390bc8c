// JSON values: access, comparison and the compact writer (Python: json.dumps
// with separators=(",", ":")).
#include <charconv>
#include <cmath>
#include <cstdio>

#include "json.hpp"

namespace aio::json {

Value Value::array(std::initializer_list<Value> items) {
    Value v;
    v.data_ = Array(items);
    return v;
}

Value Value::object(std::initializer_list<std::pair<std::string, Value>> members) {
    Value v;
    v.data_ = Object{};
    for (const auto& [key, value] : members)
        v[key] = value; // a repeated key keeps its first place, the last value (as a dict)
    return v;
}

const char* Value::kind() const {
    static const char* const names[] = {"null",   "bool",  "number", "number",
                                        "string", "array", "object"};
    return names[data_.index()];
}

bool Value::as_bool() const {
    if (!is_bool()) throw ValueError(std::string("json: as_bool on a ") + kind());
    return std::get<bool>(data_);
}

double Value::as_double() const {
    if (const auto* i = std::get_if<std::int64_t>(&data_)) return static_cast<double>(*i);
    if (const auto* d = std::get_if<double>(&data_)) return *d;
    throw ValueError(std::string("json: as_double on a ") + kind());
}

std::int64_t Value::as_int() const {
    if (const auto* i = std::get_if<std::int64_t>(&data_)) return *i;
    double d = as_double();
    // 2^63 is exactly representable; anything at or above it does not fit.
    if (std::trunc(d) != d || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
        throw ValueError("json: as_int on a number that is not an int64");
    return static_cast<std::int64_t>(d);
}

const std::string& Value::as_string() const {
    if (!is_string()) throw ValueError(std::string("json: as_string on a ") + kind());
    return std::get<std::string>(data_);
}

const Array& Value::as_array() const {
    if (!is_array()) throw ValueError(std::string("json: as_array on a ") + kind());
    return std::get<Array>(data_);
}

const Object& Value::items() const {
    if (!is_object()) throw ValueError(std::string("json: items on a ") + kind());
    return std::get<Object>(data_);
}

const Value& Value::operator[](std::string_view key) const {
    for (const auto& [name, value] : items())
        if (name == key) return value;
    throw KeyError("json: no key \"" + std::string(key) + "\"");
}

Value& Value::operator[](std::string_view key) {
    if (is_null()) data_ = Object{};
    if (!is_object()) throw ValueError(std::string("json: a key into a ") + kind());
    Object& members = std::get<Object>(data_);
    for (auto& [name, value] : members)
        if (name == key) return value;
    members.emplace_back(std::string(key), Value());
    return members.back().second;
}

const Value& Value::operator[](std::size_t i) const {
    const Array& items = as_array();
    if (i >= items.size()) throw KeyError("json: index " + std::to_string(i) + " out of range");
    return items[i];
}

Value& Value::operator[](std::size_t i) {
    as_array();
    Array& items = std::get<Array>(data_);
    if (i >= items.size()) throw KeyError("json: index " + std::to_string(i) + " out of range");
    return items[i];
}

void Value::push_back(Value v) {
    if (is_null()) data_ = Array{};
    if (!is_array()) throw ValueError(std::string("json: push_back on a ") + kind());
    std::get<Array>(data_).push_back(std::move(v));
}

std::size_t Value::size() const {
    if (is_array()) return std::get<Array>(data_).size();
    if (is_object()) return std::get<Object>(data_).size();
    return 0;
}

bool Value::contains(std::string_view key) const {
    if (!is_object()) return false;
    for (const auto& member : std::get<Object>(data_))
        if (member.first == key) return true;
    return false;
}

bool Value::operator==(const Value& other) const {
    if (is_number() && other.is_number()) {
        if (data_.index() == other.data_.index()) return data_ == other.data_;
        return as_double() == other.as_double();
    }
    if (data_.index() != other.data_.index()) return false;
    if (!is_object()) return data_ == other.data_;
    if (size() != other.size()) return false;
    for (const auto& [key, value] : items())
        if (!other.contains(key) || !(other[key] == value)) return false;
    return true;
}

namespace {

void dump_string(const std::string& s, std::string& out) {
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                char escape[8];
                std::snprintf(escape, sizeof escape, "\\u%04x", c);
                out += escape;
            } else {
                out += static_cast<char>(c); // UTF-8 passes through, as ensure_ascii=False
            }
        }
    }
    out += '"';
}

void dump_double(double d, std::string& out) {
    if (!std::isfinite(d)) throw ValueError("json: NaN and infinity have no JSON form");
    char text[32];
    auto result = std::to_chars(text, text + sizeof text, d); // shortest round-trip form
    std::string_view s(text, static_cast<std::size_t>(result.ptr - text));
    out += s;
    if (s.find_first_of(".eE") == std::string_view::npos) out += ".0"; // still a double
}

void dump_into(const Value& v, std::string& out) {
    if (v.is_null()) {
        out += "null";
    } else if (v.is_bool()) {
        out += v.as_bool() ? "true" : "false";
    } else if (v.is_string()) {
        dump_string(v.as_string(), out);
    } else if (v.is_array()) {
        out += '[';
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (i) out += ',';
            dump_into(v[i], out);
        }
        out += ']';
    } else if (v.is_object()) {
        out += '{';
        bool first = true;
        for (const auto& [key, value] : v.items()) {
            if (!first) out += ',';
            first = false;
            dump_string(key, out);
            out += ':';
            dump_into(value, out);
        }
        out += '}';
    } else {
        if (v.is_int())
            out += std::to_string(v.as_int());
        else
            dump_double(v.as_double(), out);
    }
}

} // namespace

std::string Value::dump() const {
    std::string out;
    dump_into(*this, out);
    return out;
}

} // namespace aio::json
