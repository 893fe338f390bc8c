// The polite concurrent crawler (the source articles' capstone), and the
// generated local site it crawls in tests and the demo. It puts the chapter
// together: a frontier queue and N workers (chapter 08), a per-host rate
// limiter, retry with backoff and a circuit breaker per host, over chapter
// 11's HTTP client.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "http.hpp"
#include "queues.hpp"
#include "resilience.hpp"

namespace aio {

// ---------------------------------------------------------------- the site (given)

struct SiteOptions {
    std::size_t pages = 200;
    int links_per_page = 5;
    std::uint64_t seed = 1;
    double slow_fraction = 0.1; // these answer after slow_delay
    Duration slow_delay = std::chrono::milliseconds(500);
    double failing_fraction = 0.05; // 503 fail_times times, then 200
    int fail_times = 2;
    double broken_fraction = 0.02;   // always 500
    double redirect_fraction = 0.05; // 302 to /moved/<n>, which has the page
    bool link_loop = true;           // the last page links back to the first
    Duration latency{};              // every page, on top (the timing test's 20 ms)
};

namespace detail {
struct SiteState;
}

// Pages /page/0 ... /page/<pages-1> on chapter 11's server, 127.0.0.1.
class Site {
public:
    std::uint16_t port() const;
    std::string url(std::size_t page) const; // "http://127.0.0.1:<port>/page/<n>"
    void close();
    Coro<void> wait_closed();
    // Ground truth: the page URLs a crawl from `start` reaching max_depth
    // links deep requests (a broken page's links are never seen).
    std::set<std::string> reachable(std::string start, int max_depth) const;
    std::size_t requests(std::string path) const; // "/page/7": requests received
    std::size_t peak_in_flight() const;           // requests being answered at once, at most
    std::vector<double> request_times() const;    // seconds since the site started, in order
    bool broken(std::size_t page) const;
    bool failing(std::size_t page) const; // 503 at first

    explicit Site(std::shared_ptr<detail::SiteState> state) : state_(std::move(state)) {}

private:
    std::shared_ptr<detail::SiteState> state_;
};

Coro<Site> serve_site(SiteOptions options = {});

// ---------------------------------------------------------------- the crawler

struct CrawlOptions {
    std::size_t max_pages = 100; // fetches started, at most
    int max_depth = 3;           // links followed from the start page
    std::size_t concurrency = 10;
    std::optional<double> per_host_rate; // requests per second per host (a RateLimiter)
    RetryPolicy retry;
    CircuitBreaker::Options breaker;                            // one breaker per host
    std::optional<Duration> timeout = std::chrono::seconds(10); // per attempt
    bool same_host = true;                                      // links to other hosts are skipped
    std::function<void(std::size_t done, std::size_t queued)> on_progress; // the demo's line
};

struct PageResult {
    std::string url;
    int depth = 0;
    int status = 0; // 0: no answer (a connection error, a timeout, an open circuit)
    int attempts = 0;
    std::string error; // empty: fetched
    Duration elapsed{};
    std::string final_url; // after redirects (empty: not fetched)
    std::size_t bytes = 0; // of the body
};

struct CrawlReport {
    std::vector<PageResult> pages; // sorted by URL
    std::size_t fetched = 0, failed = 0, skipped = 0, peak_concurrency = 0;
    std::size_t bytes = 0;
    Duration elapsed{};
    std::string table() const; // the summary, then the failed pages
};

// How a page is fetched: an http::ClientSession's get by default; a test
// injects its own to check the frontier without sockets.
using Fetch = std::function<Coro<http::Response>(std::string url)>;

Coro<CrawlReport> crawl(std::string start_url, CrawlOptions options = {}, Fetch fetch = {});

// The crawl's parts, public so that each can be tested on its own.

// The to-do list: which URLs to fetch, each once, and which were skipped.
class Frontier {
public:
    struct Job {
        std::string url;
        int depth;
    };
    Frontier(const CrawlOptions& options, std::string start_url); // start_url normalised
    // Queues url (found `depth` links from the start) unless it was queued
    // before, is too deep, off-site, or over max_pages; true if queued.
    bool offer(const std::string& url, int depth);
    void seen(const std::string& url) { seen_.insert(url); } // a redirect target
    Queue<Job>& jobs() { return jobs_; }
    std::size_t queued() const { return queued_; }
    std::size_t skipped() const; // skipped and never fetched after all

private:
    const CrawlOptions& options_;
    std::string origin_; // "http://127.0.0.1:8080": the start page's host
    Queue<Job> jobs_;
    std::set<std::string> seen_;    // every URL ever queued (redirect targets too)
    std::set<std::string> skipped_; // found, not queued: too deep, off-site, over max_pages
    std::size_t queued_ = 0;
};

// Per host: a rate limiter (options.per_host_rate), a circuit breaker
// (options.breaker); fetch() is one attempt through both.
class HostGuards {
public:
    HostGuards(const CrawlOptions& options, Fetch fetch)
        : options_(options), fetch_(std::move(fetch)) {}
    // Waits for the host's rate limit, then fetches through its breaker,
    // within options.timeout; an answer >= 400 raises http::HttpStatusError.
    Coro<http::Response> fetch(std::string url);

private:
    RateLimiter* limiter(const std::string& origin); // nullptr: no rate limit
    CircuitBreaker& breaker(const std::string& origin);

    const CrawlOptions& options_;
    Fetch fetch_;
    std::map<std::string, std::unique_ptr<RateLimiter>> limiters_;
    std::map<std::string, std::unique_ptr<CircuitBreaker>> breakers_;
};

std::string origin_of(const std::string& url); // "http://host:port/x" -> "http://host:port"

// One page, with retries (policy) through the host guards: its result, and
// the page's links, normalised against the URL it was finally read from.
Coro<PageResult> fetch_page(HostGuards& hosts, const RetryPolicy& policy, std::string url,
                            int depth, std::vector<std::string>& links);

// "http://host[:port]/path[?query]" for href seen on the page at base:
// relative forms resolved, dot segments removed, the fragment dropped, the
// host lower-cased, ":80" dropped. nullopt for what is not an http link
// (mailto:, https:, javascript:).
std::optional<std::string> normalize_url(const std::string& base, const std::string& href);
// RFC 3986 §5.2.4 on a path that starts with '/': "/a/./b/../c" -> "/a/c".
std::string remove_dot_segments(const std::string& path);
// Every href="..." (or '...') value of an HTML page, in order.
std::vector<std::string> extract_links(const std::string& html);

} // namespace aio
