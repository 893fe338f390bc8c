// The crawler's frontier: each URL queued once, within max_depth links of
// the start, on the start page's host, and max_pages in all (Python: the
// `seen` set and asyncio.Queue of the source articles' crawler).
#include "crawler.hpp"

namespace aio {

std::string origin_of(const std::string& url) {
    return url.substr(0, url.find('/', 7)); // after "http://"
}

Frontier::Frontier(const CrawlOptions& options, std::string start_url)
    : options_(options), origin_(origin_of(start_url)) {}

bool Frontier::offer(const std::string& url, int depth) {
    //@scratch ch12.crawl_enqueue
    //@exercise ch12.crawl_enqueue  Queue a URL once, unless too deep, off-site, or over max_pages.
    if (seen_.count(url) != 0) return false;
    bool off_site = options_.same_host && origin_of(url) != origin_;
    if (depth > options_.max_depth || off_site || queued_ >= options_.max_pages) {
        skipped_.insert(url);
        return false;
    }
    seen_.insert(url);
    ++queued_;
    jobs_.put_nowait(Job{url, depth});
    return true;
    //@end
    //@end
}

std::size_t Frontier::skipped() const {
    std::size_t count = 0;
    //@scratch ch12.frontier_skipped
    //@exercise ch12.frontier_skipped  Count the skipped URLs that were never queued after all.
    for (const std::string& url : skipped_)
        if (seen_.count(url) == 0) ++count; // not found again nearer the start
    //@end
    //@end
    return count;
}

} // namespace aio
