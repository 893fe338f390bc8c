// Graded test: make_selector finds each backend by name, and refuses other names
// (asyncio: selectors.DefaultSelector).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "selector.hpp"
#include "selector_test_helpers.hpp"

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
        ASSERT_NE(selector, nullptr) << "ch01.make_selector: \"" << name << "\" is a backend";
        EXPECT_EQ(selector->name(), name)
            << "ch01.make_selector: make_selector(\"" << name << "\") makes that backend";
    }
    EXPECT_EQ(aio::make_selector()->name(), best)
        << "ch01.make_selector: the default is the best the platform has";
    EXPECT_EQ(aio::make_selector("default")->name(), best)
        << "ch01.make_selector: \"default\" is the best the platform has";
    auto message = looplab::message_of<aio::ValueError>([] { aio::make_selector("kqueue"); });
    ASSERT_TRUE(message) << "ch01.make_selector: an unknown name is a ValueError";
    for (const std::string& name : names)
        EXPECT_NE(message->find("\"" + name + "\""), std::string::npos)
            << "ch01.make_selector: the message names the valid names, each in quotes: "
            << *message;
}
