// Percentiles of a sample of durations, by the nearest-rank rule: exact on a
// known sample, no interpolation (Python: statistics.quantiles interpolates;
// monitoring tools such as the source articles' monitor report nearest ranks).
#pragma once

#include <vector>

#include "aio_base.hpp"

namespace aio {

// The smallest value of `sorted` (ascending) with at least `percent` % of the
// sample at or below it: for 1..100 ms, p50 is 50 ms and p99 is 99 ms.
// ValueError for an empty sample or a percent outside 1..100.
Duration percentile(const std::vector<Duration>& sorted, int percent);

} // namespace aio
