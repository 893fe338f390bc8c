// The crawler: a frontier queue of (URL, depth), N workers taking from it,
// and for every fetch the chapter's three defences, per host: the rate
// limiter (be polite), retry with backoff (ride out a hiccup) and the circuit
// breaker (stop hammering a host that is down).
#include <algorithm>

#include "crawler.hpp"

namespace aio {

RateLimiter* HostGuards::limiter(const std::string& origin) {
    if (!options_.per_host_rate) return nullptr;
    //@scratch ch12.host_limiter
    //@exercise ch12.host_limiter  The host's own limiter, made on first use, at the options' rate.
    std::unique_ptr<RateLimiter>& limiter = limiters_[origin];
    double rate = *options_.per_host_rate;
    if (!limiter && rate >= 1.0)
        limiter =
            std::make_unique<RateLimiter>(static_cast<std::size_t>(rate), std::chrono::seconds(1));
    if (!limiter)
        limiter = std::make_unique<RateLimiter>(
            1, std::chrono::duration_cast<Duration>(std::chrono::duration<double>(1.0 / rate)));
    return limiter.get();
    //@end
    //@end
}

CircuitBreaker& HostGuards::breaker(const std::string& origin) {
    std::unique_ptr<CircuitBreaker>& breaker = breakers_[origin];
    if (!breaker) breaker = std::make_unique<CircuitBreaker>(options_.breaker);
    return *breaker;
}

Coro<http::Response> HostGuards::fetch(std::string url) {
    //@scratch ch12.crawl_attempt
    //@exercise ch12.crawl_attempt  The host's rate limit, then the request through its breaker.
    std::string origin = origin_of(url);
    if (RateLimiter* rate_limit = limiter(origin)) co_await rate_limit->acquire();
    auto request = [this, &url]() -> Coro<http::Response> {
        http::Response response;
        if (options_.timeout)
            response = co_await timeout(*options_.timeout, fetch_(url));
        else
            response = co_await fetch_(url);
        response.raise_for_status();
        co_return response;
    };
    co_return co_await breaker(origin).call(request);
    //@end
    //@end
}

Coro<PageResult> fetch_page(HostGuards& hosts, const RetryPolicy& policy, std::string url,
                            int depth, std::vector<std::string>& links) {
    PageResult result;
    result.url = url;
    result.depth = depth;
    TimePoint start = get_running_loop().time();
    //@scratch ch12.crawl_page
    //@exercise ch12.crawl_page  Retry the attempts; record the outcome; collect the links.
    auto once = [&hosts, &result]() {
        ++result.attempts;
        return hosts.fetch(result.url);
    };
    try {
        http::Response response = co_await retry(policy, once);
        result.status = response.status;
        result.bytes = response.body.size();
        result.final_url = response.url.empty() ? url : response.url;
        for (const std::string& href : extract_links(response.body))
            if (std::optional<std::string> link = normalize_url(result.final_url, href))
                links.push_back(*link);
    } catch (const http::HttpStatusError& error) {
        result.status = error.status;
        result.error = error.what();
    } catch (const CircuitOpenError& error) {
        result.error = std::string("circuit open: ") + error.what();
    } catch (const std::exception& error) {
        result.error = error.what();
    }
    //@end
    //@end
    result.elapsed = get_running_loop().time() - start;
    co_return result;
}

namespace {

// One crawl's shared state; the workers run on one loop, so no locks.
struct Crawl {
    Crawl(CrawlOptions crawl_options, Fetch fetch, const std::string& start)
        : options(std::move(crawl_options)), frontier(options, start),
          hosts(options, std::move(fetch)) {}

    CrawlOptions options;
    Frontier frontier;
    HostGuards hosts;
    std::size_t in_flight = 0, peak = 0, bytes = 0;
    std::vector<PageResult> pages;

    void progress() const { // the demo's live line
        if (options.on_progress) options.on_progress(pages.size(), frontier.queued());
    }
};

CrawlReport report_of(Crawl& crawl, Duration elapsed) {
    CrawlReport report;
    report.pages = std::move(crawl.pages);
    std::sort(report.pages.begin(), report.pages.end(),
              [](const PageResult& a, const PageResult& b) { return a.url < b.url; });
    for (const PageResult& page : report.pages)
        ++(page.error.empty() ? report.fetched : report.failed);
    report.skipped = crawl.frontier.skipped();
    report.peak_concurrency = crawl.peak;
    report.bytes = crawl.bytes;
    report.elapsed = elapsed;
    return report;
}

} // namespace

Coro<CrawlReport> crawl(std::string start_url, CrawlOptions options, Fetch fetch) {
    if (options.concurrency == 0) throw ValueError("crawl: concurrency must be at least 1");
    double rate = options.per_host_rate.value_or(1.0);
    if (!(rate > 0 && rate <= 1e9)) // NaN and infinity too: a limiter needs a real period
        throw ValueError("crawl: per_host_rate must be above 0, got " + std::to_string(rate));
    std::optional<std::string> start = normalize_url(start_url, start_url);
    if (!start) throw ValueError("crawl: not an http:// URL: " + start_url);
    std::optional<http::ClientSession> session;
    if (!fetch) { // the kit's client, one connection per worker
        http::ClientOptions client;
        client.limit = options.concurrency;
        session.emplace(client);
        fetch = [session = *session](std::string url) mutable { return session.get(url); };
    }
    Crawl crawl(options, fetch, *start);
    TimePoint began = get_running_loop().time();
    //@scratch ch12.crawl_worker
    //@exercise ch12.crawl_worker  Workers over the frontier until it is joined; then stop them.
    crawl.frontier.offer(*start, 0);
    auto work = [&crawl]() -> Coro<void> {
        for (;;) {
            std::optional<Frontier::Job> job;
            try {
                job.emplace(co_await crawl.frontier.jobs().get());
            } catch (const QueueShutDown&) {
                co_return;
            }
            crawl.peak = std::max(crawl.peak, ++crawl.in_flight);
            std::vector<std::string> links;
            PageResult result =
                co_await fetch_page(crawl.hosts, crawl.options.retry, job->url, job->depth, links);
            --crawl.in_flight;
            crawl.bytes += result.bytes;
            if (!result.final_url.empty()) crawl.frontier.seen(result.final_url); // a redirect's
            for (const std::string& link : links)
                crawl.frontier.offer(link, job->depth + 1);
            crawl.pages.push_back(std::move(result));
            crawl.progress();
            crawl.frontier.jobs().task_done();
        }
    };
    std::vector<Task<void>> workers;
    for (std::size_t i = 0; i < options.concurrency; ++i)
        workers.push_back(create_task(work(), "crawl-" + std::to_string(i)));
    co_await crawl.frontier.jobs().join();
    crawl.frontier.jobs().shutdown();
    for (Task<void>& task : workers)
        co_await task;
    //@end
    //@end
    if (session) co_await session->close();
    co_return report_of(crawl, get_running_loop().time() - began);
}

} // namespace aio
