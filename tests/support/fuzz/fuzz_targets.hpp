// The fuzz targets (fuzz_targets.cpp): each takes one input and returns 0, or
// aborts when its oracle fails; a parser's refusal (HttpError, json's
// ValueError) is a normal outcome, any other exception escapes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace looplab_fuzz {

int request(const std::uint8_t* data, std::size_t size);
int response(const std::uint8_t* data, std::size_t size);
int json(const std::uint8_t* data, std::size_t size);

} // namespace looplab_fuzz
