// The parsers' state machine: a buffer, a position and a stage; every step
// consumes one line or one run of body bytes (aiohttp: HttpParser.feed_data,
// h11's _readers). The rules for start lines and framing: http_rules.cpp.
#include <charconv>

#include "http_parser.hpp"

namespace aio::http::detail {

namespace {
bool is_token_char(char c) {
    static const std::string_view specials = "!#$%&'*+-.^_`|~";
    return std::isalnum(static_cast<unsigned char>(c)) || specials.find(c) != std::string::npos;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}
} // namespace

// asyncio's streams keep going after a bad byte; a parser must not: the bytes
// after it cannot be framed any more (h11: ProtocolError puts it in ERROR).
template <class Message>
void MessageParser<Message>::feed(std::string_view data) {
    //@scratch ch11.feed
    //@exercise ch11.feed  Rethrow a stored error; append; step until no progress; keep an error.
    if (error_) std::rethrow_exception(error_);
    if (eof_) throw RuntimeError("feed after feed_eof");
    buffer_.append(data);
    try {
        while (step()) {
        }
    } catch (const HttpError&) {
        error_ = std::current_exception();
        throw;
    }
    buffer_.erase(0, pos_); // what was parsed is gone; pos_ restarts at the unparsed bytes
    pos_ = 0;
    //@end
    //@end
}

template <class Message>
void MessageParser<Message>::feed_eof() {
    //@scratch ch11.feed_eof
    //@exercise ch11.feed_eof  An EOF-delimited body completes; between messages nothing; else 400.
    if (error_) std::rethrow_exception(error_);
    if (eof_) return;
    eof_ = true;
    if (stage_ == Stage::UNTIL_EOF) {
        complete();
    } else if (!idle()) {
        error_ = std::make_exception_ptr(HttpError(400, "the connection ended mid-message"));
        std::rethrow_exception(error_);
    }
    //@end
    //@end
}

template <class Message>
std::optional<Message> MessageParser<Message>::next() {
    if (done_.empty()) return std::nullopt;
    Message message = std::move(done_.front());
    done_.pop_front();
    return message;
}

template <class Message>
bool MessageParser<Message>::step() {
    switch (stage_) {
    case Stage::START_LINE:
    case Stage::FIELDS: return head_step();
    case Stage::LENGTH_BODY:
    case Stage::UNTIL_EOF: return body_step();
    default: return chunk_step();
    }
}

template <class Message>
std::optional<std::string_view> MessageParser<Message>::take_line(std::size_t max, int status,
                                                                  bool lf_ok) {
    //@scratch ch11.take_line
    //@exercise ch11.take_line  One line without its end; bare CR, bare LF (unless lf_ok), too long.
    std::string_view rest(buffer_.data() + pos_, available());
    std::size_t lf = rest.find('\n');
    std::string_view line = rest.substr(0, lf);
    bool crlf = lf != std::string_view::npos && !line.empty() && line.back() == '\r';
    if (crlf) line.remove_suffix(1);
    std::size_t cr = line.find('\r');
    // A CR as the last byte buffered may still be followed by its LF.
    if (cr != std::string_view::npos && !(lf == std::string_view::npos && cr + 1 == line.size()))
        throw HttpError(400, "a bare CR in a line");
    if (lf != std::string_view::npos && !crlf && !lf_ok) throw HttpError(400, "a bare LF line end");
    std::size_t length = line.size() - (cr != std::string_view::npos ? 1 : 0);
    if (length > max)
        throw HttpError(status, "a line longer than " + std::to_string(max) + " bytes");
    if (lf == std::string_view::npos) return std::nullopt;
    pos_ += lf + 1;
    return line;
    //@end
    //@end
}

template <class Message>
bool MessageParser<Message>::head_step() {
    //@scratch ch11.head
    //@exercise ch11.head  A start line (empty lines before it skipped), then fields until the empty line.
    bool first = stage_ == Stage::START_LINE;
    auto line = first ? take_line(limits_.max_line, 414, lf_ok_)
                      : take_line(limits_.max_field, 431, lf_ok_);
    if (!line) return false;
    if (first) {
        if (line->empty()) return true; // RFC 9112 §2.2: ignore CRLFs before a request line
        started_ = true;
        start_line(*line);
        stage_ = Stage::FIELDS;
    } else if (line->empty()) {
        head_complete();
    } else {
        field_line(*line);
    }
    return true;
    //@end
    //@end
}

template <class Message>
void MessageParser<Message>::field_line(std::string_view line) {
    //@scratch ch11.field_line
    //@exercise ch11.field_line  Refuse obs-fold, no colon, a bad name, space before the colon, too many.
    if (line.front() == ' ' || line.front() == '\t')
        throw HttpError(400, "obs-fold: a field line starting with white space");
    if (current_.headers.size() >= limits_.max_headers)
        throw HttpError(431, "more than " + std::to_string(limits_.max_headers) + " fields");
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) throw HttpError(400, "a field line without a colon");
    std::string_view name = line.substr(0, colon);
    if (name.empty()) throw HttpError(400, "an empty field name");
    if (name.back() == ' ' || name.back() == '\t')
        throw HttpError(400, "white space before the colon of a field");
    for (char c : name)
        if (!is_token_char(c)) throw HttpError(400, "a field name that is not a token");
    std::string_view value = trim(line.substr(colon + 1));
    for (char c : value)
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
            throw HttpError(400, "a control character in a field value");
    current_.headers.add(std::string(name), std::string(value));
    //@end
    //@end
}

template <class Message>
void MessageParser<Message>::head_complete() {
    head_done_ = true;
    std::size_t length = 0;
    switch (framing(length)) {
    case Framing::NONE: complete(); break;
    case Framing::LENGTH:
        remaining_ = length;
        stage_ = Stage::LENGTH_BODY;
        if (length == 0) complete();
        break;
    case Framing::CHUNKED: stage_ = Stage::CHUNK_SIZE; break;
    case Framing::UNTIL_EOF: stage_ = Stage::UNTIL_EOF; break;
    }
}

template <class Message>
bool MessageParser<Message>::body_step() {
    //@scratch ch11.body
    //@exercise ch11.body  Take what is there of the body: up to the length, or all until EOF.
    std::size_t n = stage_ == Stage::LENGTH_BODY ? std::min(remaining_, available()) : available();
    if (n == 0) return false;
    if (stage_ == Stage::UNTIL_EOF && current_.body.size() + n > limits_.max_body)
        throw HttpError(413, "a body over " + std::to_string(limits_.max_body) + " bytes");
    current_.body.append(buffer_, pos_, n);
    pos_ += n;
    if (stage_ == Stage::LENGTH_BODY) {
        remaining_ -= n;
        if (remaining_ == 0) complete();
    }
    return true;
    //@end
    //@end
}

template <class Message>
std::size_t MessageParser<Message>::chunk_size(std::string_view line) const {
    //@scratch ch11.chunk_size
    //@exercise ch11.chunk_size  The hex size before any ';' extension; 400 when malformed; 413 past max_body.
    std::string_view digits = line.substr(0, line.find(';'));
    while (!digits.empty() && (digits.back() == ' ' || digits.back() == '\t'))
        digits.remove_suffix(1); // BWS before an extension
    std::size_t size = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size())
        throw HttpError(400, "a bad chunk size line");
    if (size > limits_.max_body || current_.body.size() + size > limits_.max_body)
        throw HttpError(413, "chunks over " + std::to_string(limits_.max_body) + " bytes");
    return size;
    //@end
    //@end
}

template <class Message>
bool MessageParser<Message>::chunk_step() {
    //@scratch ch11.chunked
    //@exercise ch11.chunked  Size line, data, its CRLF, again; after the 0 chunk, trailers to the empty line.
    if (stage_ == Stage::CHUNK_DATA) {
        std::size_t n = std::min(remaining_, available());
        if (n == 0) return false;
        current_.body.append(buffer_, pos_, n);
        pos_ += n;
        remaining_ -= n;
        if (remaining_ == 0) stage_ = Stage::CHUNK_END;
        return true;
    }
    if (stage_ == Stage::CHUNK_END) {
        if (available() >= 1 && buffer_[pos_] != '\r')
            throw HttpError(400, "chunk data without CRLF");
        if (available() < 2) return false;
        if (buffer_[pos_ + 1] != '\n') throw HttpError(400, "chunk data without CRLF");
        pos_ += 2;
        stage_ = Stage::CHUNK_SIZE;
        return true;
    }
    auto line = take_line(limits_.max_field, stage_ == Stage::TRAILERS ? 431 : 400, false);
    if (!line) return false;
    if (stage_ == Stage::TRAILERS) {
        if (line->empty()) complete(); // trailer fields are accepted and ignored
        return true;
    }
    remaining_ = chunk_size(*line);
    stage_ = remaining_ == 0 ? Stage::TRAILERS : Stage::CHUNK_DATA;
    return true;
    //@end
    //@end
}

template <class Message>
void MessageParser<Message>::complete() {
    Message message = std::move(current_);
    current_ = Message{};
    head_done_ = false;
    started_ = false;
    stage_ = Stage::START_LINE;
    if (keep(message)) done_.push_back(std::move(message));
}

template class MessageParser<Request>;
template class MessageParser<Response>;

} // namespace aio::http::detail
