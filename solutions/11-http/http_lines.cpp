// Lines and fields: where a line ends, what a field line may hold, what a
// chunk-size line says (RFC 9112 §2.2, §5, §7.1; h11: _abnf.py, _readers.py).
#include <algorithm>
#include <cctype>
#include <charconv>

#include "http_parser.hpp"

namespace aio::http::detail {

namespace {
bool is_token_char(char c) {
    static const std::string_view specials = "!#$%&'*+-.^_`|~";
    return std::isalnum(static_cast<unsigned char>(c)) || specials.find(c) != std::string::npos;
}

} // namespace

std::optional<std::string_view> take_line(std::string_view buffer, std::size_t& pos,
                                          std::size_t max, int status, bool lf_ok) {
    //@scratch ch11.take_line
    //@exercise ch11.take_line  One line without its end; bare CR, bare LF (unless lf_ok), too long.
    // Every refusal comes at the byte that proves it, scanning in order, so that
    // the same bytes give the same answer however they were split into feeds.
    std::string_view rest = buffer.substr(pos);
    std::size_t lf = rest.find('\n');
    std::string_view line = rest.substr(0, lf);
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '\r' && i + 1 == line.size())
            break; // the line's CR, or its LF is still to come
        if (line[i] == '\r') throw HttpError(400, "a bare CR in a line");
        if (i >= max)
            throw HttpError(status, "a line longer than " + std::to_string(max) + " bytes");
    }
    if (lf == std::string_view::npos) return std::nullopt;
    bool crlf = !line.empty() && line.back() == '\r';
    if (!crlf && !lf_ok) throw HttpError(400, "a bare LF line end");
    if (crlf) line.remove_suffix(1);
    pos += lf + 1;
    return line;
    //@end
    //@end
}

void add_field(std::string_view line, Headers& headers, std::size_t max_headers) {
    //@scratch ch11.field_line
    //@exercise ch11.field_line  Refuse obs-fold, no colon, a bad name, space before the colon, too many.
    if (line.front() == ' ' || line.front() == '\t')
        throw HttpError(400, "obs-fold: a field line starting with white space");
    if (headers.size() >= max_headers)
        throw HttpError(431, "more than " + std::to_string(max_headers) + " fields");
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) throw HttpError(400, "a field line without a colon");
    std::string_view name = line.substr(0, colon);
    if (name.empty()) throw HttpError(400, "an empty field name");
    if (name.back() == ' ' || name.back() == '\t')
        throw HttpError(400, "white space before the colon of a field");
    if (!std::all_of(name.begin(), name.end(), is_token_char))
        throw HttpError(400, "a field name that is not a token");
    std::string_view value = trim(line.substr(colon + 1));
    for (char c : value)
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
            throw HttpError(400, "a control character in a field value");
    headers.add(std::string(name), std::string(value));
    //@end
    //@end
}

std::size_t parse_chunk_size(std::string_view line) {
    //@scratch ch11.chunk_size
    //@exercise ch11.chunk_size  The hex size before any ';' extension; 400 when it is not one.
    std::string_view digits = line.substr(0, line.find(';'));
    while (!digits.empty() && (digits.back() == ' ' || digits.back() == '\t'))
        digits.remove_suffix(1); // BWS before an extension
    std::size_t size = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
        throw HttpError(400, "a bad chunk size line");
    return size;
    //@end
    //@end
}

} // namespace aio::http::detail
