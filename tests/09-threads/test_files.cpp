// Graded tests, files on the executor (async_files.cpp) and to_thread with the
// named-callable idiom.
#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <system_error>

#include "async_files.hpp"
#include "lifetime.hpp"
#include "loop_bridge.hpp"
#include "threads_test_helpers.hpp"

using aio::Coro;
using aio::EventLoop;
using looplab::Counted;
using looplab::LifetimeCounts;
using looplab::run_in_task;
using looplab::ScratchDir;

namespace {
std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string big_text() {
    std::string text;
    for (int i = 0; text.size() < (1 << 20); ++i)
        text += "line " + std::to_string(i) + " of a file read on a worker thread\n";
    return text;
}

Coro<std::string> read_it(std::string path) {
    co_return co_await aio::read_file(path);
}
Coro<void> write_it(std::string path, std::string data) {
    co_await aio::write_file(std::move(path), std::move(data));
}
} // namespace

TEST(Files, ReadFileReturnsTheWholeFile) {
    ScratchDir dir;
    std::string text = big_text();
    std::ofstream(dir.file("big.txt"), std::ios::binary) << text;
    EventLoop loop;
    std::string read = run_in_task(loop, read_it(dir.file("big.txt")));
    EXPECT_EQ(read.size(), text.size()) << "ch09.read_file: every byte of a 1 MiB file";
    EXPECT_TRUE(read == text) << "ch09.read_file: the bytes in order";
}

TEST(Files, AMissingFileIsASystemErrorNamingThePath) {
    ScratchDir dir;
    EventLoop loop;
    std::string path = dir.file("no-such-file.txt");
    try {
        run_in_task(loop, read_it(path));
        ADD_FAILURE() << "ch09.read_file: reading a missing file must throw";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ENOENT) << "ch09.read_file: the errno of the failing open";
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos)
            << "ch09.read_file: the message names the path: " << e.what();
    }
}

TEST(Files, WriteFileCreatesWith0644AndTruncates) {
    ScratchDir dir;
    std::string path = dir.file("out.txt");
    std::ofstream(path) << "an old and much longer content that must disappear";
    std::string fresh = dir.file("fresh.txt");
    EventLoop loop;
    run_in_task(loop, write_it(path, "new"));
    run_in_task(loop, write_it(fresh, "created"));
    EXPECT_EQ(slurp(path), "new") << "ch09.write_file: an existing file is truncated, then written";
    EXPECT_EQ(slurp(fresh), "created") << "ch09.write_file: a missing file is created";
    struct stat info {};
    ASSERT_EQ(stat(fresh.c_str(), &info), 0) << "ch09.write_file: the written file must exist";
    mode_t mask = umask(0);
    umask(mask);
    EXPECT_EQ(info.st_mode & 0777, 0644u & ~mask) << "ch09.write_file: mode 0644, less the umask";
    try {
        run_in_task(loop, write_it(dir.file("no/such/dir/x.txt"), "x"));
        ADD_FAILURE() << "ch09.write_file: writing into a missing directory must throw";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ENOENT) << "ch09.write_file: the errno of the failing open";
    }
}

namespace {
// The named-callable idiom: the lambda that captures is a named local, moved
// into to_thread. (Written as a temporary inside the co_await, GCC 12 would
// destroy it twice.)
Coro<int> length_on_a_thread(Counted witness, std::string text) {
    auto job = [witness, text] { return static_cast<int>(text.size()); };
    co_return co_await aio::to_thread(std::move(job));
}
} // namespace

TEST(ToThread, ANamedCallableIsDestroyedExactlyOnce) {
    LifetimeCounts counts;
    {
        EventLoop loop;
        int length = run_in_task(loop, length_on_a_thread(Counted(counts), "twelve chars"));
        EXPECT_EQ(length, 12) << "ch09.settle: to_thread returns the callable's value";
    }
    EXPECT_EQ(counts.alive(), 0) << "every copy of a captured object is destroyed exactly once: "
                                 << counts.summary();
}
