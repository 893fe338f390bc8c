// The monitor's records and their summary (see monitor.hpp).
#include "monitor.hpp"

#include <algorithm>

#include "percentiles.hpp"

namespace aio {

void Monitor::record(std::string_view name, Duration elapsed, bool failed) {
    //@exercise ch13.record  Add the run to its name's record, created on the name's first run.
    auto found = records_.find(name);
    if (found == records_.end()) found = records_.emplace(std::string(name), Record{}).first;
    found->second.samples.push_back(elapsed);
    if (failed) ++found->second.failures;
    //@end
}

Stats Monitor::stats(std::string_view name) const {
    auto found = records_.find(name);
    if (found == records_.end())
        throw KeyError("Monitor: no run recorded under '" + std::string(name) + "'");
    //@exercise ch13.stats  Summarise the record: count, failures, total, mean, min, max, p50, p99.
    const Record& record = found->second;
    std::vector<Duration> sorted = record.samples;
    std::sort(sorted.begin(), sorted.end());
    Stats stats;
    stats.count = sorted.size();
    stats.failures = record.failures;
    for (Duration sample : sorted)
        stats.total += sample;
    stats.mean = stats.total / static_cast<Duration::rep>(stats.count);
    stats.min = sorted.front();
    stats.max = sorted.back();
    stats.p50 = percentile(sorted, 50);
    stats.p99 = percentile(sorted, 99);
    return stats;
    //@end
}

std::vector<std::string> Monitor::names() const {
    std::vector<std::string> names;
    for (const auto& [name, record] : records_)
        names.push_back(name);
    return names;
}

} // namespace aio
