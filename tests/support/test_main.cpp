// The main of every graded test binary: GoogleTest, with SIGPIPE ignored so a
// write to a peer that hung up fails with EPIPE instead of killing the test.
#include <csignal>

#include <gtest/gtest.h>

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
