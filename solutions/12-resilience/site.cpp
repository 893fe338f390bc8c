// The crawler's generated site (given code): a seeded graph of pages with
// links in every relative form, slow pages, pages failing their first
// requests, broken pages, redirects, a cycle and off-site links, served by
// chapter 11's server. It counts what it is asked, so tests can check the
// crawler at the server's end.
#include <algorithm>
#include <deque>
#include <map>
#include <random>

#include "crawler.hpp"

namespace aio {

namespace detail {

enum class Kind { PLAIN, SLOW, FAILING, BROKEN, REDIRECT };

struct SiteState {
    SiteOptions options;
    std::vector<Kind> kinds;
    std::vector<std::vector<std::size_t>> links; // page -> pages it links to
    std::optional<Server> server;
    std::map<std::string, std::size_t> requests;
    std::size_t in_flight = 0, peak = 0;
    std::vector<double> times;
    TimePoint started{};
};

namespace {

// The href of a link from page `from` to page `to`, in one of the forms a
// crawler must normalise (all of them mean /page/<to>).
std::string href(std::size_t to, std::size_t form, std::uint16_t port) {
    std::string n = std::to_string(to);
    switch (form % 5) {
    case 0: return "/page/" + n;
    case 1: return "./" + n;
    case 2: return "../page/" + n + "#top";
    case 3: return "http://127.0.0.1:" + std::to_string(port) + "/page/./" + n;
    default: return n + "#section-2";
    }
}

// A moved page (/moved/<n>) links in the two forms that do not depend on
// where the page lives, so its links still mean /page/<to>.
std::string html(const SiteState& site, std::size_t page, bool moved, std::uint16_t port) {
    std::string body = "<html><body><h1>Page " + std::to_string(page) + "</h1>\n";
    std::size_t form = page;
    for (std::size_t to : site.links[page]) {
        std::size_t chosen = moved ? (form % 2 == 0 ? 0 : 3) : form;
        ++form;
        body += "<a href=\"" + href(to, chosen, port) + "\">page " + std::to_string(to) + "</a>\n";
    }
    if (page % 7 == 3) body += "<a href='http://example.invalid/elsewhere'>off-site</a>\n";
    if (page % 11 == 5) body += "<a href=\"mailto:someone@example.invalid\">mail</a>\n";
    return body + "</body></html>\n";
}

void generate(SiteState& site) {
    const SiteOptions& o = site.options;
    std::mt19937_64 rng(o.seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    site.kinds.assign(o.pages, Kind::PLAIN);
    site.links.assign(o.pages, {});
    for (std::size_t page = 1; page < o.pages; ++page) { // page 0, the start, is plain
        double x = unit(rng);
        double edge = o.broken_fraction;
        if (x < edge)
            site.kinds[page] = Kind::BROKEN;
        else if (x < (edge += o.failing_fraction))
            site.kinds[page] = Kind::FAILING;
        else if (x < (edge += o.redirect_fraction))
            site.kinds[page] = Kind::REDIRECT;
        else if (x < (edge += o.slow_fraction))
            site.kinds[page] = Kind::SLOW;
    }
    for (std::size_t page = 0; page < o.pages; ++page) {
        site.links[page].push_back((page + 1) % o.pages); // a chain through every page
        for (int i = 1; i < o.links_per_page; ++i)
            site.links[page].push_back(static_cast<std::size_t>(rng() % o.pages));
    }
    if (o.link_loop && o.pages > 1) site.links[o.pages - 1].push_back(0);
}

Coro<http::Response> answer(std::shared_ptr<SiteState> site, std::size_t page, bool moved) {
    const SiteOptions& o = site->options;
    if (o.latency > Duration::zero()) co_await sleep(o.latency);
    Kind kind = site->kinds[page];
    std::string path = "/page/" + std::to_string(page);
    if (kind == Kind::SLOW) co_await sleep(o.slow_delay);
    if (kind == Kind::BROKEN) co_return http::text_response("broken for good", 500);
    if (kind == Kind::FAILING && site->requests[path] <= static_cast<std::size_t>(o.fail_times))
        co_return http::text_response("try again later", 503);
    if (kind == Kind::REDIRECT && !moved) {
        http::Response response = http::text_response("moved", 302);
        response.headers.set("Location", "/moved/" + std::to_string(page));
        co_return response;
    }
    http::Response response = http::text_response(html(*site, page, moved, site->server->port()));
    response.headers.set("Content-Type", "text/html; charset=utf-8");
    co_return response;
}

Coro<http::Response> serve_page(std::shared_ptr<SiteState> site, http::Request request,
                                bool moved) {
    if (!site) co_return http::text_response("the site is gone", 503);
    std::string n = request.match_info["n"];
    std::size_t page = 0;
    try {
        page = std::stoul(n);
    } catch (const std::exception&) {
        co_return http::text_response("no such page", 404);
    }
    if (page >= site->kinds.size()) co_return http::text_response("no such page", 404);
    ++site->requests[request.path()];
    site->times.push_back(
        std::chrono::duration<double>(get_running_loop().time() - site->started).count());
    site->peak = std::max(site->peak, ++site->in_flight);
    std::exception_ptr error;
    http::Response response;
    try {
        response = co_await answer(site, page, moved);
    } catch (...) {
        error = std::current_exception();
    }
    --site->in_flight;
    if (error) std::rethrow_exception(error);
    co_return response;
}

} // namespace

} // namespace detail

Coro<Site> serve_site(SiteOptions options) {
    auto site = std::make_shared<detail::SiteState>();
    site->options = options;
    detail::generate(*site);
    site->started = get_running_loop().time();
    http::Application app;
    std::weak_ptr<detail::SiteState> weak = site; // the server must not keep the site alive
    auto page = [weak](http::Request request) {
        return detail::serve_page(weak.lock(), std::move(request), false);
    };
    auto moved = [weak](http::Request request) {
        return detail::serve_page(weak.lock(), std::move(request), true);
    };
    app.add_get("/page/{n}", page);
    app.add_get("/moved/{n}", moved);
    site->server = co_await http::serve(std::move(app));
    co_return Site(site);
}

std::uint16_t Site::port() const {
    return state_->server->port();
}
std::string Site::url(std::size_t page) const {
    return "http://127.0.0.1:" + std::to_string(port()) + "/page/" + std::to_string(page);
}
void Site::close() {
    state_->server->close();
}
Coro<void> Site::wait_closed() {
    co_await state_->server->wait_closed();
}
std::size_t Site::peak_in_flight() const {
    return state_->peak;
}
std::vector<double> Site::request_times() const {
    return state_->times;
}
bool Site::broken(std::size_t page) const {
    return state_->kinds[page] == detail::Kind::BROKEN;
}
bool Site::failing(std::size_t page) const {
    return state_->kinds[page] == detail::Kind::FAILING;
}

std::size_t Site::requests(std::string path) const {
    auto found = state_->requests.find(path);
    return found == state_->requests.end() ? 0 : found->second;
}

std::set<std::string> Site::reachable(std::string start, int max_depth) const {
    std::string prefix = "http://127.0.0.1:" + std::to_string(port()) + "/page/";
    std::set<std::string> seen{start};
    std::deque<std::pair<std::size_t, int>> frontier{{std::stoul(start.substr(prefix.size())), 0}};
    while (!frontier.empty()) {
        auto [page, depth] = frontier.front();
        frontier.pop_front();
        if (depth == max_depth || state_->kinds[page] == detail::Kind::BROKEN) continue;
        for (std::size_t to : state_->links[page])
            if (seen.insert(prefix + std::to_string(to)).second)
                frontier.push_back({to, depth + 1});
    }
    return seen;
}

} // namespace aio
