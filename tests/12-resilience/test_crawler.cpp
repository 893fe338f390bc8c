// The crawler without sockets: URLs, the frontier (dedupe, depth, max_pages,
// off-site), retries, the concurrency bound, the rate limit and the breaker,
// with an injected fetch on the virtual clock.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "crawler.hpp"
#include "resilience_test_helpers.hpp"

using namespace looplab;
using aio::Coro;
using aio::CrawlOptions;
using aio::CrawlReport;

namespace {

// An in-memory web: URL -> (status, body); counts fetches, in flight and when.
struct FakeWeb {
    VirtualLoop* v = nullptr;
    std::map<std::string, std::vector<int>> statuses; // per fetch, the last one repeats
    std::map<std::string, std::vector<std::string>> links;
    std::map<std::string, int> fetches;
    std::map<std::string, std::string> moved; // a redirect: the URL finally read
    std::vector<long> fetch_ms;
    aio::Duration latency = 100ms;
    std::size_t in_flight = 0, peak = 0;

    Coro<aio::http::Response> get(std::string url) {
        int n = fetches[url]++;
        fetch_ms.push_back(v->ms());
        peak = std::max(peak, ++in_flight);
        co_await aio::sleep(latency);
        --in_flight;
        if (url.rfind("http://down.test", 0) == 0)
            throw aio::ConnectionRefusedError("connect: Connection refused");
        aio::http::Response response;
        response.url = moved.count(url) ? moved[url] : url;
        std::vector<int>& s = statuses[url];
        response.status =
            s.empty() ? (links.count(url) ? 200 : 404) : s[std::min<std::size_t>(n, s.size() - 1)];
        for (const std::string& link : links[url])
            response.body += "<a href=\"" + link + "\">x</a>";
        co_return response;
    }
    aio::Fetch fetcher() {
        return [this](std::string url) { return get(std::move(url)); };
    }
};

CrawlOptions quick(int depth = 5, std::size_t concurrency = 4) {
    CrawlOptions o;
    o.max_depth = depth;
    o.concurrency = concurrency;
    o.retry.base_delay = 10ms;
    o.retry.jitter = aio::RetryPolicy::Jitter::NONE;
    o.breaker.failure_threshold = 1000;
    return o;
}

CrawlReport run_crawl(VirtualLoop& v, std::string start, CrawlOptions o, aio::Fetch fetch) {
    auto task = aio::create_task(v.loop, aio::crawl(start, o, fetch));
    v.settle(600s);
    EXPECT_EQ(outcome_of(task), "ok") << "ch12.crawl_worker: the crawl ends";
    return outcome_of(task) == "ok" ? task.result() : CrawlReport{};
}

std::vector<std::string> urls_of(const CrawlReport& report) {
    std::vector<std::string> urls;
    for (const aio::PageResult& page : report.pages)
        urls.push_back(page.url);
    return urls;
}

const std::string A = "http://site.test/a";

} // namespace

TEST(Urls, NormalizeResolvesEveryRelativeForm) {
    std::string base = "http://Site.test:80/docs/guide/page.html?x=1#top";
    std::vector<std::pair<std::string, std::string>> cases = {
        {"other.html", "http://site.test/docs/guide/other.html"},
        {"./other.html#part", "http://site.test/docs/guide/other.html"},
        {"../api/", "http://site.test/docs/api/"},
        {"../../../up", "http://site.test/up"},
        {"/root?q=2", "http://site.test/root?q=2"},
        {"?page=3", "http://site.test/docs/guide/page.html?page=3"},
        {"#only-a-fragment", "http://site.test/docs/guide/page.html?x=1"},
        {"//cdn.test/lib.js", "http://cdn.test/lib.js"},
        {"HTTP://Other.TEST:8080/a/./b/../c", "http://other.test:8080/a/c"},
    };
    for (const auto& [href, expected] : cases)
        EXPECT_EQ(aio::normalize_url(base, href).value_or("nullopt"), expected)
            << "ch12.normalize_url: " << href << " on " << base;
    EXPECT_FALSE(aio::normalize_url(base, "mailto:a@b.test"))
        << "ch12.normalize_url: mailto: is no http link: nullopt";
    EXPECT_FALSE(aio::normalize_url(base, "https://secure.test/"))
        << "ch12.normalize_url: https: the kit cannot fetch it: nullopt";
}

TEST(Urls, RemoveDotSegmentsAsRfc3986Says) {
    std::vector<std::pair<std::string, std::string>> cases = {
        {"/a/b/c/./../../g", "/a/g"},
        {"/mid/content=5/../6", "/mid/6"},
        {"/a/./b/", "/a/b/"},
        {"/a/b/..", "/a/"},
        {"/a/b/.", "/a/b/"},
        {"/../../x", "/x"},
        {"/", "/"},
        {"/page/./3", "/page/3"},
    };
    for (const auto& [path, expected] : cases)
        EXPECT_EQ(aio::remove_dot_segments(path), expected) << "ch12.dot_segments: " << path;
}

TEST(Urls, ExtractLinksFindsEveryHrefInOrder) {
    std::string html = "<a href=\"/one\">1</a> <A class=x href='two.html'>2</A>"
                       "<link href=\"/style.css\"> <p>href is a word</p> <a href=\"\">e</a>";
    EXPECT_EQ(aio::extract_links(html),
              (std::vector<std::string>{"/one", "two.html", "/style.css", ""}))
        << "ch12.extract_links: double and single quotes, in page order, empty values kept";
    EXPECT_TRUE(aio::extract_links("<a href=\"unterminated").empty())
        << "ch12.extract_links: an unterminated value is no link";
}

TEST(Frontier, QueuesEachUrlOnceWithinDepthOnSiteAndUpToMaxPages) {
    VirtualLoop v; // the queue's loop
    CrawlOptions o = quick(2);
    o.max_pages = 4;
    aio::Frontier frontier(o, A);
    EXPECT_TRUE(frontier.offer(A, 0)) << "ch12.crawl_enqueue: the start page is queued";
    EXPECT_FALSE(frontier.offer(A, 1)) << "ch12.crawl_enqueue: a URL is queued once only";
    EXPECT_FALSE(frontier.offer("http://site.test/deep", 3))
        << "ch12.crawl_enqueue: depth 3 > max_depth 2: skipped";
    EXPECT_TRUE(frontier.offer("http://site.test/deep", 2))
        << "ch12.crawl_enqueue: the same URL found nearer later is queued";
    EXPECT_FALSE(frontier.offer("http://other.test/x", 1))
        << "ch12.crawl_enqueue: another host: skipped (same_host)";
    frontier.seen("http://site.test/moved");
    EXPECT_FALSE(frontier.offer("http://site.test/moved", 1))
        << "ch12.crawl_enqueue: a redirect target already fetched is not queued";
    EXPECT_TRUE(frontier.offer("http://site.test/b", 1)) << "ch12.crawl_enqueue: page 3";
    EXPECT_TRUE(frontier.offer("http://site.test/c", 1)) << "ch12.crawl_enqueue: page 4";
    EXPECT_FALSE(frontier.offer("http://site.test/d", 1))
        << "ch12.crawl_enqueue: a fifth page is over max_pages = 4: skipped";
    EXPECT_EQ(frontier.queued(), 4u) << "ch12.crawl_enqueue: four queued";
    EXPECT_EQ(frontier.jobs().qsize(), 4u) << "ch12.crawl_enqueue: four jobs in the queue";
}

TEST(Frontier, SkippedCountsOnlyUrlsNeverQueued) {
    VirtualLoop v;
    CrawlOptions o = quick(1);
    aio::Frontier frontier(o, A);
    frontier.offer(A, 0);
    frontier.offer("http://site.test/deep", 2);   // skipped: too deep...
    frontier.offer("http://site.test/deep", 1);   // ...then found nearer: queued
    frontier.offer("http://site.test/deeper", 2); // skipped for good
    frontier.offer("http://other.test/", 1);      // skipped for good
    EXPECT_EQ(frontier.skipped(), 2u)
        << "ch12.frontier_skipped: deeper and other.test; deep was queued after all";
}

TEST(HostGuards, EachHostHasItsOwnRateLimit) {
    VirtualLoop v;
    FakeWeb web;
    web.v = &v;
    web.latency = 1ms;
    CrawlOptions o = quick();
    o.per_host_rate = 2.0;
    aio::HostGuards hosts(o, web.fetcher());
    std::vector<std::string> log;
    auto get = [&](std::string url) -> Coro<void> {
        co_await hosts.fetch(url);
        log.push_back(url.substr(7, 1) + " " + at(v));
    };
    std::vector<aio::Task<void>> tasks;
    for (std::string url : {"http://a.test/1", "http://a.test/2", "http://a.test/3",
                            "http://b.test/1", "http://b.test/2"}) {
        web.links[url] = {};
        tasks.push_back(aio::create_task(v.loop, get(url)));
    }
    v.settle(5s);
    EXPECT_EQ(joined(log), "a @1, a @1, b @1, b @1, a @1001")
        << "ch12.host_limiter: 2 a second per host: a.test's third waits a second, b.test's "
           "two do not wait for a.test's (one limiter per host)";
}

TEST(HostGuards, AnErrorStatusRaisesAndFeedsTheHostsBreaker) {
    VirtualLoop v;
    FakeWeb web;
    web.v = &v;
    web.latency = 1ms;
    web.statuses["http://a.test/x"] = {500};
    CrawlOptions o = quick();
    o.breaker.failure_threshold = 2;
    aio::HostGuards hosts(o, web.fetcher());
    std::vector<std::string> outcomes;
    auto get = [&]() -> Coro<void> {
        for (int i = 0; i < 3; ++i) {
            try {
                co_await hosts.fetch("http://a.test/x");
                outcomes.push_back("ok");
            } catch (const aio::http::HttpStatusError& e) {
                outcomes.push_back(std::to_string(e.status));
            } catch (const aio::CircuitOpenError&) {
                outcomes.push_back("open");
            }
        }
    };
    auto task = aio::create_task(v.loop, get());
    v.settle(1s);
    EXPECT_EQ(joined(outcomes), "500, 500, open")
        << "ch12.crawl_attempt: a 500 answer raises HttpStatusError; two open the breaker";
    EXPECT_EQ(web.fetches["http://a.test/x"], 2) << "ch12.crawl_attempt: the third is not sent";
}

TEST(HostGuards, AnAttemptOverTheTimeoutIsATimeoutError) {
    VirtualLoop v;
    FakeWeb web;
    web.v = &v;
    web.latency = 5s;
    web.links["http://a.test/slow"] = {};
    CrawlOptions o = quick();
    o.timeout = 1s;
    aio::HostGuards hosts(o, web.fetcher());
    auto task = aio::create_task(v.loop, hosts.fetch("http://a.test/slow"));
    std::string ended;
    task.add_done_callback([&](aio::Future<aio::http::Response>) { ended = at(v); });
    v.settle(10s);
    bool timed_out = false;
    try {
        task.result();
    } catch (const aio::TimeoutError&) {
        timed_out = true;
    } catch (...) {
    }
    EXPECT_TRUE(timed_out) << "ch12.crawl_attempt: a 5 s answer with a 1 s timeout: TimeoutError";
    EXPECT_EQ(ended, "@1000") << "ch12.crawl_attempt: at 1 s";
}

TEST(FetchPage, RetriesThenCollectsLinksAgainstTheFinalUrl) {
    VirtualLoop v;
    FakeWeb web;
    web.v = &v;
    web.latency = 1ms;
    web.statuses[A] = {503, 200};
    web.links[A] = {"b#frag", "../up", "mailto:x@y.test"};
    web.statuses["http://site.test/dead"] = {500};
    CrawlOptions o = quick();
    aio::HostGuards hosts(o, web.fetcher());
    web.moved["http://site.test/old/x"] = "http://site.test/new/x";
    web.links["http://site.test/old/x"] = {"y"};
    std::vector<std::string> links, none, moved_links;
    aio::PageResult page, dead, moved;
    auto body = [&]() -> Coro<void> {
        page = co_await aio::fetch_page(hosts, o.retry, A, 2, links);
        moved = co_await aio::fetch_page(hosts, o.retry, "http://site.test/old/x", 1, moved_links);
        dead = co_await aio::fetch_page(hosts, o.retry, "http://site.test/dead", 1, none);
    };
    auto task = aio::create_task(v.loop, body());
    v.settle(10s);
    EXPECT_EQ(page.status, 200) << "ch12.crawl_page: fetched after one 503";
    EXPECT_EQ(page.attempts, 2) << "ch12.crawl_page: two attempts counted";
    EXPECT_EQ(page.depth, 2) << "ch12.crawl_page: the depth it was given";
    EXPECT_EQ(page.final_url, A) << "ch12.crawl_page: read from the URL asked (no redirect)";
    EXPECT_EQ(links, (std::vector<std::string>{"http://site.test/b", "http://site.test/up"}))
        << "ch12.crawl_page: the page's links, normalised; mailto: dropped";
    EXPECT_EQ(moved.final_url, "http://site.test/new/x")
        << "ch12.crawl_page: final_url is where the page was read after a redirect";
    EXPECT_EQ(moved_links, (std::vector<std::string>{"http://site.test/new/y"}))
        << "ch12.crawl_page: links resolve against the final URL, not the one asked for";
    EXPECT_EQ(dead.status, 500) << "ch12.crawl_page: a dead page keeps its status";
    EXPECT_EQ(dead.attempts, 4) << "ch12.crawl_page: after max_attempts";
    EXPECT_NE(dead.error.find("500"), std::string::npos)
        << "ch12.crawl_page: the error says what happened, got " << dead.error;
}

TEST(CrawlReport, TheTableSumsUpAndListsTheFailures) {
    aio::CrawlReport report;
    report.fetched = 2;
    report.failed = 1;
    aio::PageResult failed;
    failed.url = "http://site.test/dead";
    failed.status = 500;
    failed.attempts = 4;
    failed.error = "500 Internal Server Error";
    report.pages.push_back(failed);
    std::string table = report.table();
    EXPECT_NE(table.find("fetched"), std::string::npos) << "the table has its header";
    EXPECT_NE(table.find("http://site.test/dead"), std::string::npos) << "and the failed page";
}

TEST(Crawler, BadOptionsAreValueErrors) {
    // Checked before anything is fetched (given code): a rate of 0 would make a
    // limiter with an infinite period, a NaN one that never grants.
    for (double rate : {0.0, -2.0, std::nan(""), HUGE_VAL}) {
        CrawlOptions o;
        o.per_host_rate = rate;
        EXPECT_THROW(aio::run(aio::crawl(A, o)), aio::ValueError)
            << "crawl refuses per_host_rate " << rate;
    }
    CrawlOptions o;
    o.concurrency = 0;
    EXPECT_THROW(aio::run(aio::crawl(A, o)), aio::ValueError) << "crawl refuses concurrency 0";
}

TEST(Crawler, FetchesEachUrlOnceAndStopsAtMaxDepth) {
    VirtualLoop v;
    FakeWeb web;
    web.v = &v;
    web.links[A] = {"b", "./c#x", "/a"}; // a link to itself
    web.links["http://site.test/b"] = {"a", "c"};
    web.links["http://site.test/c"] = {"d"};
    web.links["http://site.test/d"] = {"e"};
    web.links["http://site.test/e"] = {};
    CrawlReport report = run_crawl(v, A, quick(2), web.fetcher());
    EXPECT_EQ(urls_of(report),
              (std::vector<std::string>{A, "http://site.test/b", "http://site.test/c",
                                        "http://site.test/d"}))
        << "ch12.crawl_enqueue: a, b, c at depths 0-1, d at depth 2; e (depth 3) is not fetched";
    for (const auto& [url, count] : web.fetches)
        EXPECT_EQ(count, 1) << "ch12.crawl_enqueue: " << url << " fetched once (a cycle a-b-a)";
    EXPECT_EQ(report.skipped, 1u) << "ch12.crawl_enqueue: e was found and skipped (too deep)";
    EXPECT_EQ(report.fetched, 4u) << "ch12.crawl_worker: four pages fetched";
}

TEST(Crawler, MaxPagesCapsTheFetchesStartedAndOffSiteLinksAreSkipped) {
    VirtualLoop v;
    FakeWeb web;
    web.v = &v;
    web.links[A] = {"p1", "p2", "p3", "p4", "http://elsewhere.test/x"};
    for (std::string p : {"p1", "p2", "p3", "p4"})
        web.links["http://site.test/" + p] = {};
    CrawlOptions o = quick();
    o.max_pages = 3;
    CrawlReport report = run_crawl(v, A, o, web.fetcher());
    EXPECT_EQ(report.pages.size(), 3u) << "ch12.crawl_enqueue: max_pages = 3 fetches in all";
    EXPECT_EQ(web.fetches.count("http://elsewhere.test/x"), 0u)
        << "ch12.crawl_enqueue: an off-site link is not fetched (same_host)";
    EXPECT_EQ(report.skipped, 3u) << "ch12.crawl_enqueue: p3, p4 (max_pages) and the off-site one";
}

TEST(Crawler, FlakyPagesAreRetriedDeadOnesReportedAfterMaxAttempts) {
    VirtualLoop v;
    FakeWeb web;
    web.v = &v;
    web.links[A] = {"flaky", "dead", "gone"};
    web.links["http://site.test/flaky"] = {};
    web.statuses["http://site.test/flaky"] = {503, 503, 200};
    web.statuses["http://site.test/dead"] = {500};
    CrawlReport report = run_crawl(v, A, quick(), web.fetcher());
    std::map<std::string, aio::PageResult> by_url;
    for (const aio::PageResult& page : report.pages)
        by_url[page.url] = page;
    const aio::PageResult& flaky = by_url["http://site.test/flaky"];
    EXPECT_EQ(flaky.status, 200) << "ch12.crawl_attempt: the flaky page is fetched in the end";
    EXPECT_EQ(flaky.attempts, 3) << "ch12.crawl_attempt: after two 503 answers: 3 attempts";
    const aio::PageResult& dead = by_url["http://site.test/dead"];
    EXPECT_EQ(dead.status, 500) << "ch12.crawl_attempt: the dead page is reported with its 500";
    EXPECT_EQ(dead.attempts, 4) << "ch12.crawl_attempt: tried max_attempts (4) times";
    EXPECT_NE(dead.error, "") << "ch12.crawl_attempt: and counted as failed";
    const aio::PageResult& gone = by_url["http://site.test/gone"];
    EXPECT_EQ(gone.attempts, 1) << "ch12.crawl_attempt: a 404 is not retried";
    EXPECT_EQ(report.fetched, 2u) << "ch12.crawl_worker: a and flaky fetched";
    EXPECT_EQ(report.failed, 2u) << "ch12.crawl_worker: dead and gone failed";
}

TEST(Crawler, RunsConcurrencyFetchesAtOnceAndNeverMore) {
    VirtualLoop v;
    FakeWeb web;
    web.v = &v;
    for (int i = 0; i < 30; ++i)
        web.links[A].push_back("p" + std::to_string(i));
    for (int i = 0; i < 30; ++i)
        web.links["http://site.test/p" + std::to_string(i)] = {};
    CrawlReport report = run_crawl(v, A, quick(2, 5), web.fetcher());
    EXPECT_EQ(report.fetched, 31u) << "ch12.crawl_worker: the start page and its 30 links";
    EXPECT_EQ(web.peak, 5u) << "ch12.crawl_worker: 5 workers: 5 fetches at once, never more";
    EXPECT_EQ(report.peak_concurrency, 5u) << "ch12.crawl_worker: and the report says so";
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(report.elapsed).count(), 700)
        << "ch12.crawl_worker: 100 ms for the start page, then 30 pages in 6 rounds of 5";
}

TEST(Crawler, ThePerHostRateLimitHoldsInEveryWindow) {
    VirtualLoop v;
    FakeWeb web;
    web.v = &v;
    web.latency = 10ms;
    for (int i = 0; i < 24; ++i)
        web.links[A].push_back("p" + std::to_string(i));
    for (int i = 0; i < 24; ++i)
        web.links["http://site.test/p" + std::to_string(i)] = {};
    CrawlOptions o = quick(2, 10);
    o.per_host_rate = 5.0;
    CrawlReport report = run_crawl(v, A, o, web.fetcher());
    EXPECT_EQ(report.fetched, 25u) << "ch12.crawl_attempt: every page fetched";
    for (long start : web.fetch_ms) {
        long in_window = std::count_if(web.fetch_ms.begin(), web.fetch_ms.end(),
                                       [&](long t) { return t >= start && t < start + 1000; });
        EXPECT_LE(in_window, 5) << "ch12.crawl_attempt: 5 requests per second per host, but "
                                << in_window << " began in [" << start << ", " << start + 1000
                                << ") ms";
    }
    EXPECT_EQ(web.fetch_ms.back(), 4010)
        << "ch12.crawl_attempt: a at 0 ms, its 24 links from 10 ms on, five a second: the "
           "last at 4010 ms";
}

TEST(Crawler, TheBreakerStopsCallingADeadHost) {
    VirtualLoop v;
    FakeWeb web;
    web.v = &v;
    for (int i = 0; i < 8; ++i)
        web.links[A].push_back("http://down.test/p" + std::to_string(i));
    CrawlOptions o = quick(2, 1);
    o.same_host = false;
    o.retry.max_attempts = 1;
    o.breaker.failure_threshold = 3;
    CrawlReport report = run_crawl(v, A, o, web.fetcher());
    int down_fetches = 0;
    for (const auto& [url, count] : web.fetches)
        down_fetches += url.rfind("http://down.test", 0) == 0 ? count : 0;
    EXPECT_EQ(down_fetches, 3) << "ch12.crawl_attempt: 3 failures open down.test's breaker; "
                                  "the other 5 pages are not requested";
    EXPECT_EQ(report.failed, 8u) << "ch12.crawl_attempt: all 8 reported failed";
    EXPECT_EQ(web.fetches[A], 1) << "site.test has a breaker of its own, closed";
}
