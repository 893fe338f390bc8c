// Chapter 12's classroom demo: a circuit breaker in front of a service that
// goes down and comes back (its state changes on a timeline, virtual time),
// then the crawler on a generated site, with a live progress line and its
// summary table.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "clock.hpp"
#include "crawler.hpp"
#include "timeline.hpp"

using namespace std::chrono_literals;
using aio::Coro;

namespace {

double seconds(aio::EventLoop& loop) {
    return std::chrono::duration<double>(loop.time() - aio::VirtualClock::start_time).count();
}

// A service down from 2 s to 9 s; a client calls it every 250 ms through a
// breaker (threshold 3, reset_timeout 2 s).
Coro<void> breaker_story(aio::EventLoop& loop, aio::Timeline& timeline) {
    aio::CircuitBreaker::Options options;
    options.failure_threshold = 3;
    options.reset_timeout = 2s;
    double since = 0;
    options.on_change = [&](aio::CircuitBreaker::State from, aio::CircuitBreaker::State to) {
        timeline.add_span(aio::to_string(from), since, seconds(loop),
                          from == aio::CircuitBreaker::State::CLOSED ? '='
                          : from == aio::CircuitBreaker::State::OPEN ? 'X'
                                                                     : '?');
        since = seconds(loop);
        std::printf("  %5.2f s  %-9s -> %s\n", since, aio::to_string(from).c_str(),
                    aio::to_string(to).c_str());
    };
    aio::CircuitBreaker breaker(options);
    auto service = [&]() -> Coro<int> {
        co_await aio::sleep(20ms);
        double now = seconds(loop);
        if (now > 2.0 && now < 9.0) throw aio::ConnectionRefusedError("service down");
        co_return 200;
    };
    for (int i = 0; i < 48; ++i) {
        char mark = '.';
        try {
            co_await breaker.call(service);
        } catch (const aio::CircuitOpenError&) {
            mark = 'o'; // failed fast: the service was not called
        } catch (const aio::ConnectionError&) {
            mark = 'x';
        }
        timeline.add_event("calls", seconds(loop), mark);
        co_await aio::sleep(230ms);
    }
    timeline.add_span(aio::to_string(breaker.state()), since, seconds(loop), '=');
}

Coro<void> crawl_story() {
    aio::SiteOptions site_options;
    site_options.pages = 120;
    site_options.slow_delay = 150ms;
    site_options.latency = 10ms;
    aio::Site site = co_await aio::serve_site(site_options);
    aio::CrawlOptions options;
    options.max_depth = 6;
    options.max_pages = 120;
    options.concurrency = 8;
    options.per_host_rate = 100.0;
    options.retry.base_delay = 50ms;
    options.breaker.failure_threshold = 50;
    bool terminal = isatty(STDOUT_FILENO) != 0;
    options.on_progress = [terminal](std::size_t done, std::size_t queued) {
        if (terminal)
            std::printf("\r  crawled %3zu of %3zu queued", done, queued);
        else if (done % 20 == 0)
            std::printf("  crawled %3zu of %3zu queued\n", done, queued);
        std::fflush(stdout);
    };
    std::printf("\nThe crawler on %s (8 workers, 100 requests/s, retries, a breaker per host):\n",
                site.url(0).c_str());
    aio::CrawlReport report = co_await aio::crawl(site.url(0), options);
    std::printf("%s\n%s", terminal ? "\n" : "", report.table().c_str()); // end the live line
    std::printf("\n  the server saw at most %zu requests at once\n", site.peak_in_flight());
    site.close();
    co_await site.wait_closed();
}

} // namespace

int main() {
    std::printf("A circuit breaker in front of a service that is down from 2 s to 9 s\n"
                "(threshold 3, reset_timeout 2 s; a call every 250 ms, virtual time):\n\n");
    aio::VirtualClock clock;
    aio::Timeline timeline("breaker states: = closed, X open, ? half-open; calls: . ok, x "
                           "failed, o failed fast");
    {
        aio::EventLoop loop(aio::LoopOptions{.clock = &clock});
        aio::run_until_complete(
            loop, aio::Future<void>(aio::create_task(loop, breaker_story(loop, timeline))));
    }
    std::printf("\n%s\n", timeline.to_ascii(72).c_str());
    aio::run(crawl_story());
    return 0;
}
