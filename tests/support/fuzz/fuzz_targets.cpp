// The fuzz targets of `make fuzz` (chapter 11's parsers and json::parse), and
// the same functions replayed over the corpus by `make test` (fuzz_replay.cpp).
// Each target has an oracle beyond "no crash": the request and response
// parsers give the same messages (or the same refusal) whether the bytes come
// whole or split where the input says; json::parse(dump(v)) == v.
#include "fuzz_targets.hpp"

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "http_parser.hpp"
#include "json.hpp"

namespace looplab_fuzz {

namespace {

using aio::http::HttpError;

// Small limits, so that inputs of a few hundred bytes reach 413, 414 and 431.
aio::http::Limits small_limits() {
    aio::http::Limits limits;
    limits.max_line = 200;
    limits.max_field = 200;
    limits.max_headers = 12;
    limits.max_body = 2000;
    return limits;
}

std::string describe_headers(const aio::http::Headers& headers) {
    std::string out;
    for (const auto& [name, value] : headers)
        out += name + ": " + value + "\n";
    return out;
}

std::string describe(const aio::http::Request& r) {
    return r.method + " " + r.target + " " + std::to_string(r.version) + "\n" +
           describe_headers(r.headers) + "\n" + r.body;
}

std::string describe(const aio::http::Response& r) {
    return std::to_string(r.status) + " " + std::to_string(r.version) + "\n" +
           describe_headers(r.headers) + "\n" + r.body;
}

// Cut points: each input byte below 64 ends a piece after that many more bytes.
std::vector<std::string_view> pieces(std::string_view bytes, std::string_view cuts) {
    std::vector<std::string_view> out;
    std::size_t at = 0;
    for (unsigned char c : cuts) {
        if (at >= bytes.size()) break;
        std::size_t size = (c % 64) + 1;
        out.push_back(bytes.substr(at, size));
        at += size;
    }
    if (at < bytes.size()) out.push_back(bytes.substr(at));
    return out;
}

// Every message the parser gives for `parts`, then "error <status>" if it refused.
template <class Parser>
std::vector<std::string> run(Parser parser, const std::vector<std::string_view>& parts) {
    std::vector<std::string> seen;
    auto drain = [&] {
        while (auto message = parser.next())
            seen.push_back(describe(*message));
    };
    try {
        for (auto part : parts) {
            parser.feed(part);
            drain();
        }
        parser.feed_eof();
        drain();
    } catch (const HttpError& e) {
        drain(); // what completed before the bad bytes still comes out
        seen.push_back("error " + std::to_string(e.status));
        try {
            parser.feed("x");
            std::abort(); // the error must be sticky
        } catch (const HttpError&) {
        }
    }
    return seen;
}

template <class Parser>
int same_whole_and_split(const std::uint8_t* data, std::size_t size, Parser parser) {
    if (size < 2) return 0;
    std::string_view all(reinterpret_cast<const char*>(data), size);
    std::size_t cut_bytes = std::min<std::size_t>(data[0] % 16, size - 1);
    std::string_view cuts = all.substr(1, cut_bytes), bytes = all.substr(1 + cut_bytes);
    auto whole = run(parser, {bytes});
    auto split = run(parser, pieces(bytes, cuts));
    if (whole != split) std::abort(); // a split changed what the parser saw
    return 0;
}

} // namespace

int request(const std::uint8_t* data, std::size_t size) {
    return same_whole_and_split(data, size, aio::http::RequestParser(small_limits()));
}

int response(const std::uint8_t* data, std::size_t size) {
    aio::http::ResponseParser parser(small_limits());
    if (size > 0 && data[0] & 0x80) parser.expect("HEAD");
    return same_whole_and_split(data, size, parser);
}

int json(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    aio::json::Value value;
    try {
        value = aio::json::parse(text);
    } catch (const aio::ValueError&) {
        return 0;
    }
    if (aio::json::parse(value.dump()) != value) std::abort(); // dump must round-trip
    return 0;
}

} // namespace looplab_fuzz

#ifdef LOOPLAB_FUZZ_TARGET
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return looplab_fuzz::LOOPLAB_FUZZ_TARGET(data, size);
}
#endif
