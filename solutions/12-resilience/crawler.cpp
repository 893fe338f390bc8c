// The crawler: a frontier queue of (URL, depth), N workers taking from it,
// and for every fetch the chapter's three defences, per host: the rate
// limiter (be polite), retry with backoff (ride out a hiccup) and the circuit
// breaker (stop hammering a host that is down).
#include <algorithm>
#include <map>

#include "crawler.hpp"
#include "queues.hpp"

namespace aio {

namespace {

struct Job {
    std::string url;
    int depth;
};

// One crawl's shared state; the workers run on one loop, so no locks.
struct Crawl {
    Crawl(CrawlOptions crawl_options, Fetch fetcher, std::string start_origin)
        : options(std::move(crawl_options)), fetch(std::move(fetcher)),
          origin(std::move(start_origin)) {}

    CrawlOptions options;
    Fetch fetch;
    std::string origin; // "http://127.0.0.1:8080": the start page's host
    Queue<Job> frontier;
    std::set<std::string> seen;    // every URL ever enqueued (redirect targets too)
    std::set<std::string> skipped; // found, never enqueued: off-site, too deep, over max_pages
    std::size_t queued = 0, done = 0, in_flight = 0, peak = 0, bytes = 0;
    std::map<std::string, std::unique_ptr<RateLimiter>> limiters;    // per origin
    std::map<std::string, std::unique_ptr<CircuitBreaker>> breakers; // per origin
    std::vector<PageResult> pages;
};

std::string origin_of(const std::string& url) {
    std::size_t slash = url.find('/', 7); // after "http://"
    return url.substr(0, slash);
}

RateLimiter* limiter_for(Crawl& crawl, const std::string& origin) {
    if (!crawl.options.per_host_rate) return nullptr;
    std::unique_ptr<RateLimiter>& limiter = crawl.limiters[origin];
    double rate = *crawl.options.per_host_rate;
    if (!limiter && rate >= 1.0) // `rate` grants in any second
        limiter = std::make_unique<RateLimiter>(static_cast<std::size_t>(rate), std::chrono::seconds(1));
    if (!limiter) // below one a second: one grant per 1/rate seconds
        limiter = std::make_unique<RateLimiter>(
            1, std::chrono::duration_cast<Duration>(std::chrono::duration<double>(1.0 / rate)));
    return limiter.get();
}

CircuitBreaker& breaker_for(Crawl& crawl, const std::string& origin) {
    std::unique_ptr<CircuitBreaker>& breaker = crawl.breakers[origin];
    if (!breaker) breaker = std::make_unique<CircuitBreaker>(crawl.options.breaker);
    return *breaker;
}

void enqueue(Crawl& crawl, const std::string& url, int depth) {
    //@scratch ch12.crawl_enqueue
    //@exercise ch12.crawl_enqueue  Queue a URL once, unless it is too deep, off-site, or over
    // max_pages (then count it skipped).
    if (crawl.seen.count(url) != 0) return;
    bool off_site = crawl.options.same_host && origin_of(url) != crawl.origin;
    if (depth > crawl.options.max_depth || off_site || crawl.queued >= crawl.options.max_pages) {
        crawl.skipped.insert(url);
        return;
    }
    crawl.seen.insert(url);
    ++crawl.queued;
    crawl.frontier.put_nowait(Job{url, depth});
    //@end
    //@end
}

// One attempt: the host's rate limit, then its breaker around the request.
Coro<http::Response> attempt(Crawl& crawl, std::string url) {
    //@scratch ch12.crawl_attempt
    //@exercise ch12.crawl_attempt  Wait for the host's rate limit, then fetch through its breaker
    // within the timeout; an error status raises.
    std::string origin = origin_of(url);
    if (RateLimiter* limiter = limiter_for(crawl, origin)) co_await limiter->acquire();
    auto request = [&crawl, &url]() -> Coro<http::Response> {
        http::Response response;
        if (crawl.options.timeout)
            response = co_await timeout(*crawl.options.timeout, crawl.fetch(url));
        else
            response = co_await crawl.fetch(url);
        response.raise_for_status();
        co_return response;
    };
    co_return co_await breaker_for(crawl, origin).call(request);
    //@end
    //@end
}

// Fetches one page with retries; its links go to `links`.
Coro<PageResult> fetch_page(Crawl& crawl, Job job, std::vector<std::string>& links) {
    PageResult result;
    result.url = job.url;
    result.depth = job.depth;
    TimePoint start = get_running_loop().time();
    auto once = [&crawl, &result, &job]() {
        ++result.attempts;
        return attempt(crawl, job.url);
    };
    try {
        http::Response response = co_await retry(crawl.options.retry, once);
        result.status = response.status;
        crawl.bytes += response.body.size();
        std::string final_url = response.url.empty() ? job.url : response.url;
        crawl.seen.insert(final_url); // a redirect target is not fetched again
        for (const std::string& href : extract_links(response.body))
            if (std::optional<std::string> url = normalize_url(final_url, href))
                links.push_back(*url);
    } catch (const http::HttpStatusError& error) {
        result.status = error.status;
        result.error = error.what();
    } catch (const CircuitOpenError& error) {
        result.error = std::string("circuit open: ") + error.what();
    } catch (const std::exception& error) {
        result.error = error.what();
    }
    result.elapsed = get_running_loop().time() - start;
    co_return result;
}

Coro<void> worker(Crawl& crawl) {
    //@scratch ch12.crawl_worker
    //@exercise ch12.crawl_worker  Take jobs until the frontier shuts down: fetch, record, queue
    // its links one level deeper, mark it done.
    for (;;) {
        std::optional<Job> job;
        try {
            job.emplace(co_await crawl.frontier.get());
        } catch (const QueueShutDown&) {
            co_return;
        }
        crawl.peak = std::max(crawl.peak, ++crawl.in_flight);
        std::vector<std::string> links;
        PageResult result = co_await fetch_page(crawl, *job, links);
        --crawl.in_flight;
        for (const std::string& link : links)
            enqueue(crawl, link, job->depth + 1);
        crawl.pages.push_back(std::move(result));
        ++crawl.done;
        if (crawl.options.on_progress) crawl.options.on_progress(crawl.done, crawl.queued);
        crawl.frontier.task_done();
    }
    //@end
    //@end
}

CrawlReport report_of(Crawl& crawl, Duration elapsed) {
    CrawlReport report;
    report.pages = std::move(crawl.pages);
    std::sort(report.pages.begin(), report.pages.end(),
              [](const PageResult& a, const PageResult& b) { return a.url < b.url; });
    for (const PageResult& page : report.pages)
        ++(page.error.empty() ? report.fetched : report.failed);
    for (const std::string& url : crawl.skipped)
        report.skipped += crawl.seen.count(url) == 0 ? 1 : 0; // found deeper, then fetched
    report.peak_concurrency = crawl.peak;
    report.bytes = crawl.bytes;
    report.elapsed = elapsed;
    return report;
}

} // namespace

Coro<CrawlReport> crawl(std::string start_url, CrawlOptions options, Fetch fetch) {
    if (options.concurrency == 0) throw ValueError("crawl: concurrency must be at least 1");
    std::optional<std::string> start = normalize_url(start_url, start_url);
    if (!start) throw ValueError("crawl: not an http:// URL: " + start_url);
    std::optional<http::ClientSession> session;
    if (!fetch) { // the kit's client, one connection per worker
        http::ClientOptions client;
        client.limit = options.concurrency;
        session.emplace(client);
        fetch = [session = *session](std::string url) mutable { return session.get(url); };
    }
    Crawl crawl(options, fetch, origin_of(*start));
    TimePoint began = get_running_loop().time();
    enqueue(crawl, *start, 0);
    std::vector<Task<void>> workers;
    for (std::size_t i = 0; i < options.concurrency; ++i)
        workers.push_back(create_task(worker(crawl), "crawl-" + std::to_string(i)));
    co_await crawl.frontier.join();
    crawl.frontier.shutdown();
    for (Task<void>& task : workers)
        co_await task;
    if (session) co_await session->close();
    co_return report_of(crawl, get_running_loop().time() - began);
}

} // namespace aio
