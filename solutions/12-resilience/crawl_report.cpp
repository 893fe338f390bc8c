// The crawl's summary table (given): the totals, then one line per failed page.
#include <cstdio>

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
    for (const PageResult& page : pages)
        if (!page.error.empty())
            text += format("    %-40s  status %3d  attempts %d  %s\n", page.url.c_str(),
                           page.status, page.attempts, page.error.substr(0, 60).c_str());
    return text;
}

} // namespace aio
