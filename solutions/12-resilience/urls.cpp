// URLs as the crawler sees them: links pulled out of a page, and each made
// absolute and canonical, so that one page has one spelling and the crawler
// fetches it once (Python: urllib.parse.urljoin and urldefrag).
#include <cctype>
#include <vector>

#include "crawler.hpp"

namespace aio {

namespace {

std::string lower(std::string text) {
    for (char& ch : text)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return text;
}

} // namespace

std::string remove_dot_segments(const std::string& path) {
    std::vector<std::string> kept;
    //@scratch ch12.dot_segments
    //@exercise ch12.dot_segments  Drop "." segments; ".." removes the segment before it.
    std::size_t start = 1;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        std::string segment = path.substr(start, end - start);
        bool last = end == path.size();
        if (segment == "..") {
            if (!kept.empty()) kept.pop_back();
            if (last) kept.push_back(""); // "/a/.." is "/", a directory
        } else if (segment == ".") {
            if (last) kept.push_back("");
        } else {
            kept.push_back(segment);
        }
        start = end + 1;
    }
    //@end
    //@end
    std::string out;
    for (const std::string& segment : kept)
        out += "/" + segment;
    return out.empty() ? "/" : out;
}

namespace {

// "http://Host:80/x" -> {"http://host", "/x"}: the origin and the rest.
std::pair<std::string, std::string> split_origin(const std::string& url) {
    std::size_t slash = url.find_first_of("/?", 7); // after "http://"
    std::string authority = lower(url.substr(7, slash == std::string::npos ? slash : slash - 7));
    if (authority.size() > 3 && authority.compare(authority.size() - 3, 3, ":80") == 0)
        authority.resize(authority.size() - 3);
    std::string rest = slash == std::string::npos ? "/" : url.substr(slash);
    if (rest.front() == '?') rest = "/" + rest;
    return {"http://" + authority, rest};
}

} // namespace

std::optional<std::string> normalize_url(const std::string& base, const std::string& href) {
    //@scratch ch12.normalize_url
    //@exercise ch12.normalize_url  Absolute, without fragment or dot segments; nullopt if not http.
    std::string link = href.substr(0, href.find('#'));
    std::size_t colon = link.find(':');
    if (colon != std::string::npos && colon < link.find_first_of("/?")) {
        if (lower(link.substr(0, colon)) != "http") return std::nullopt; // mailto:, https:, ...
        link = "http" + link.substr(colon);
    }
    auto [origin, base_rest] = split_origin(base.substr(0, base.find('#')));
    std::string base_path = base_rest.substr(0, base_rest.find('?'));
    std::string absolute;
    if (link.rfind("http://", 0) == 0)
        absolute = link;
    else if (link.rfind("//", 0) == 0)
        absolute = "http:" + link;
    else if (link.empty())
        absolute = origin + base_rest;
    else if (link.front() == '/')
        absolute = origin + link;
    else if (link.front() == '?')
        absolute = origin + base_path + link;
    else
        absolute = origin + base_path.substr(0, base_path.rfind('/') + 1) + link;
    auto [host, rest] = split_origin(absolute);
    std::size_t query = rest.find('?');
    std::string path = remove_dot_segments(rest.substr(0, query));
    return host + path + (query == std::string::npos ? "" : rest.substr(query));
    //@end
    //@end
}

std::vector<std::string> extract_links(const std::string& html) {
    std::vector<std::string> links;
    //@scratch ch12.extract_links
    //@exercise ch12.extract_links  Every href value, double- or single-quoted, in page order.
    for (std::size_t at = html.find("href="); at != std::string::npos;
         at = html.find("href=", at + 5)) {
        std::size_t open = at + 5;
        if (open >= html.size() || (html[open] != '"' && html[open] != '\'')) continue;
        std::size_t close = html.find(html[open], open + 1);
        if (close == std::string::npos) break;
        links.push_back(html.substr(open + 1, close - open - 1));
    }
    //@end
    //@end
    return links;
}

} // namespace aio
