// JSON values, a parser and a writer (RFC 8259): given code, the standard
// library has none (Python: the json module; objects keep insertion order,
// as a dict does).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "aio_base.hpp"

namespace aio::json {

class Value;
using Array = std::vector<Value>;
using Member = std::pair<std::string, Value>;
using Object = std::vector<Member>; // insertion order; lookups are linear (small objects)

class Value {
public:
    Value() = default;
    Value(std::nullptr_t) {}
    Value(bool b) : data_(b) {}
    Value(int i) : data_(std::int64_t{i}) {}
    Value(std::int64_t i) : data_(i) {}
    Value(double d) : data_(d) {}
    // Every other integral type (size_t, long long, unsigned): without this
    // constructor they are ambiguous between int64_t and double (g++ 12).
    template <std::integral I>
    requires(!std::same_as<I, bool> && !std::same_as<I, int> && !std::same_as<I, std::int64_t>)
        Value(I i)
        : data_(static_cast<std::int64_t>(i)) {}
    Value(const char* s) : data_(std::string(s)) {}
    Value(std::string s) : data_(std::move(s)) {}
    Value(std::string_view s) : data_(std::string(s)) {}

    static Value array(std::initializer_list<Value> items = {});
    static Value object(std::initializer_list<std::pair<std::string, Value>> members = {});

    bool is_null() const { return data_.index() == 0; }
    bool is_bool() const { return data_.index() == 1; }
    bool is_number() const { return data_.index() == 2 || data_.index() == 3; }
    bool is_int() const { return data_.index() == 2; } // a number held as an exact int64
    bool is_string() const { return data_.index() == 4; }
    bool is_array() const { return data_.index() == 5; }
    bool is_object() const { return data_.index() == 6; }

    bool as_bool() const;        // wrong kind: ValueError
    double as_double() const;    // any number
    std::int64_t as_int() const; // a fraction or out of range: ValueError
    const std::string& as_string() const;
    const Array& as_array() const;

    const Value&
    operator[](std::string_view key) const;  // missing: KeyError; not an object: ValueError
    Value& operator[](std::string_view key); // inserts null; a null becomes {}
    Value& operator[](const char* key) { return (*this)[std::string_view(key)]; }
    const Value& operator[](const char* key) const { return (*this)[std::string_view(key)]; }
    const Value& operator[](std::size_t i) const; // out of range: KeyError
    Value& operator[](std::size_t i);
    const Value& operator[](int i) const { return (*this)[static_cast<std::size_t>(i)]; }
    Value& operator[](int i) { return (*this)[static_cast<std::size_t>(i)]; }
    void push_back(Value v); // a null becomes []

    std::size_t size() const; // elements or members; 0 for scalars
    bool contains(std::string_view key) const;
    const Object& items() const; // an object's members, in order

    bool operator==(const Value& other) const; // objects regardless of order; 1 == 1.0
    std::string dump() const;                  // compact; NaN/Inf: ValueError

private:
    const char* kind() const;
    std::variant<std::monostate, bool, std::int64_t, double, std::string, Array, Object> data_;
};

inline constexpr std::size_t MAX_DEPTH = 512;

// ValueError "json: <what> at byte N" for malformed text; nesting deeper than
// MAX_DEPTH is refused; \uXXXX escapes with surrogate pairs; integers that fit
// an int64 stay exact, other numbers are doubles.
Value parse(std::string_view text);

} // namespace aio::json
