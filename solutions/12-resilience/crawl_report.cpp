// The crawl's summary table (given): the totals, then one line per failed page.
#include <cstdio>
#include <string>

#include "crawler.hpp"

namespace aio {

namespace {
std::string format(const char* pattern, auto... values) {
    char line[512];
    std::snprintf(line, sizeof line, pattern, values...);
    return line;
}
} // namespace

std::string CrawlReport::table() const {
    double seconds = std::chrono::duration<double>(elapsed).count();
    std::string text = "  fetched  failed  skipped     bytes    time  peak concurrency\n";
    text += format("  %7zu  %6zu  %7zu  %8zu  %5.2fs  %16zu\n", fetched, failed, skipped, bytes,
                   seconds, peak_concurrency);
    if (failed == 0) return text;
    text += "\n  failed after retries:\n";
    for (const PageResult& page : pages) {
        if (page.error.empty()) continue;
        // "500 Internal Server Error for <url>": the URL is in the first column already.
        std::string why = page.error;
        std::string for_url = " for " + page.url;
        if (why.ends_with(for_url)) why.resize(why.size() - for_url.size());
        text += format("    %-40s  status %3d  attempts %d  %s\n", page.url.c_str(), page.status,
                       page.attempts, why.substr(0, 60).c_str());
    }
    return text;
}

} // namespace aio
