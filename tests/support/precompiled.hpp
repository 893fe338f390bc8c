// The headers every test file parses: gtest and the standard library's
// heaviest. With g++ the Makefile precompiles this once per build flavour
// (compiler and sanitizer) and every test object starts from it, instead of
// each of them parsing gtest again. Nothing of the kit goes here: a chapter's
// own headers differ from set to set (solutions, lessons, stubs, probe).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <coroutine>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>
