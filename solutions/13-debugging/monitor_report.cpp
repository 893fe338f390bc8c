// The monitor's two outputs: a table for a terminal and JSON for a dashboard
// (aiomonitor prints tables; the source articles' monitor logs JSON).
#include <cstdio>
#include <string>

#include "monitor.hpp"

namespace aio {

namespace {

double milliseconds(Duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}
double seconds(Duration d) {
    return std::chrono::duration<double>(d).count();
}

// JSON string escaping for the names: quotes, backslashes, control characters.
std::string quoted(std::string_view text) {
    //@exercise ch13.json_quote  The name as a JSON string: quoted, and escaped where JSON says.
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + "\"";
    //@end
}

} // namespace

std::string Monitor::table() const {
    std::string out;
    char line[200];
    std::snprintf(line, sizeof line, "%-20s %6s %6s %9s %9s %9s %9s %9s %10s\n", "name", "count",
                  "fail", "mean ms", "min ms", "max ms", "p50 ms", "p99 ms", "total ms");
    out += line;
    for (const std::string& name : names()) {
        const Stats s = stats(name);
        std::snprintf(line, sizeof line, "%-20s %6zu %6zu %9.3f %9.3f %9.3f %9.3f %9.3f %10.3f\n",
                      name.c_str(), s.count, s.failures, milliseconds(s.mean), milliseconds(s.min),
                      milliseconds(s.max), milliseconds(s.p50), milliseconds(s.p99),
                      milliseconds(s.total));
        out += line;
    }
    return out;
}

std::string Monitor::to_json() const {
    std::string out = "{";
    for (const std::string& name : names()) {
        const Stats s = stats(name);
        char fields[400];
        std::snprintf(fields, sizeof fields,
                      "{\"count\": %zu, \"failures\": %zu, \"total_s\": %.9f, \"mean_s\": %.9f, "
                      "\"min_s\": %.9f, \"max_s\": %.9f, \"p50_s\": %.9f, \"p99_s\": %.9f}",
                      s.count, s.failures, seconds(s.total), seconds(s.mean), seconds(s.min),
                      seconds(s.max), seconds(s.p50), seconds(s.p99));
        out += (out.size() > 1 ? ", " : "") + quoted(name) + ": " + fields;
    }
    return out + "}";
}

} // namespace aio
