// The parsers' state machine: a buffer, a position and a stage; every step
// consumes one line or one run of body bytes (aiohttp: HttpParser.feed_data,
// h11's _readers). The rules for start lines and framing: http_rules.cpp.
#include "http_parser.hpp"

namespace aio::http::detail {

// asyncio's streams keep going after a bad byte; a parser must not: the bytes
// after it cannot be framed any more (h11: ProtocolError puts it in ERROR).
template <class Message>
void MessageParser<Message>::feed(std::string_view data) {
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
bool MessageParser<Message>::head_step() {
    //@scratch ch11.head
    //@exercise ch11.head  A start line (empty lines before it skipped), then fields until the empty line.
    bool first = stage_ == Stage::START_LINE;
    auto text = first ? line(limits_.max_line, 414, lf_ok_) : line(limits_.max_field, 431, lf_ok_);
    if (!text) return false;
    if (first) {
        if (text->empty()) return true; // RFC 9112 §2.2: ignore CRLFs before a request line
        started_ = true;
        start_line(*text);
        stage_ = Stage::FIELDS;
    } else if (text->empty()) { // the head is complete: how does the body end?
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
    } else {
        add_field(*text, current_.headers, limits_.max_headers);
    }
    return true;
    //@end
    //@end
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
    auto text = line(limits_.max_field, stage_ == Stage::TRAILERS ? 431 : 400, false);
    if (!text) return false;
    if (stage_ == Stage::TRAILERS) {
        if (text->empty()) complete(); // trailer fields are accepted and ignored
        return true;
    }
    remaining_ = parse_chunk_size(*text);
    if (remaining_ > limits_.max_body - current_.body.size())
        throw HttpError(413, "chunks over " + std::to_string(limits_.max_body) + " bytes");
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
