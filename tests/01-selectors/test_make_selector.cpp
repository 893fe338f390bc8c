// Graded test: make_selector finds each backend by name, and refuses other names.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "selector.hpp"
#include "selector_test_helpers.hpp"

using namespace std::chrono_literals;

TEST(MakeSelector, GivesEachBackendByNameAndRefusesOtherNames) {
#ifdef __linux__
    const std::vector<std::string> names{"select", "poll", "epoll"};
    const std::string best = "epoll";
#else
    const std::vector<std::string> names{"select", "poll"};
    const std::string best = "poll";
#endif
    for (const std::string& name : names) {
        std::unique_ptr<aio::Selector> selector = aio::make_selector(name);
        ASSERT_NE(selector, nullptr);
        EXPECT_EQ(selector->name(), name);
        looplab::Pipe pipe;
        selector->register_fd(pipe.read_end(), aio::EVENT_READ);
        pipe.write_byte();
        EXPECT_EQ(selector->select(0ms).size(), 1u) << "the " << name << " selector works";
    }
    EXPECT_EQ(aio::make_selector()->name(), best) << "the default is the best the platform has";
    EXPECT_EQ(aio::make_selector("default")->name(), best);
    auto message = looplab::message_of<aio::ValueError>([] { aio::make_selector("kqueue"); });
    ASSERT_TRUE(message) << "an unknown name is a ValueError";
    for (const std::string& name : names)
        EXPECT_NE(message->find("\"" + name + "\""), std::string::npos)
            << "the message names the valid names: " << *message;
}
