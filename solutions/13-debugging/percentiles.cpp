// The nearest-rank percentile (see percentiles.hpp).
#include "percentiles.hpp"

#include <string>

namespace aio {

Duration percentile(const std::vector<Duration>& sorted, int percent) {
    if (sorted.empty()) throw ValueError("percentile: the sample is empty");
    if (percent < 1 || percent > 100)
        throw ValueError("percentile: " + std::to_string(percent) + " is not in 1..100");
    //@exercise ch13.percentile  Return the value at the nearest rank for percent.
    const std::size_t n = sorted.size();
    const std::size_t rank = (n * static_cast<std::size_t>(percent) + 99) / 100; // ceil, from 1
    return sorted[rank - 1];
    //@end
}

} // namespace aio
