// I/O readiness callbacks: one reader and one writer per fd sharing one selector
// registration (asyncio: BaseSelectorEventLoop._add_reader, _remove_reader,
// _process_events).
#include <cassert>
#include <string>

#include "event_loop.hpp"

namespace aio {

void EventLoop::add_reader(int fd, Callback cb) {
    add_watcher(fd, std::move(cb), true);
    check_watcher(fd);
}
void EventLoop::add_writer(int fd, Callback cb) {
    add_watcher(fd, std::move(cb), false);
    check_watcher(fd);
}
bool EventLoop::remove_reader(int fd) {
    if (closed_) return false;
    bool removed = remove_watcher(fd, true);
    check_watcher(fd);
    return removed;
}
bool EventLoop::remove_writer(int fd) {
    if (closed_) return false;
    bool removed = remove_watcher(fd, false);
    check_watcher(fd);
    return removed;
}

// The bookkeeping that add_watcher and remove_watcher keep (asserted in debug
// builds): a watcher in watchers_ has an interest; an id is nonzero exactly
// when its callback is set; the selector holds fd with exactly that interest
// and &watcher as its data; an fd with no watcher is not in the selector.
void EventLoop::check_watcher([[maybe_unused]] int fd) const {
#ifndef NDEBUG
    auto found = watchers_.find(fd);
    const SelectorKey* key = fd == wakeup_.fd() ? nullptr : selector_->get_key(fd);
    const detail::IoWatcher* w = found == watchers_.end() ? nullptr : &found->second;
    assert((w != nullptr || key == nullptr) && "watchers: an fd with no watcher is registered");
    if (w == nullptr) return;
    assert(w->interest() != 0 && "watchers: a watcher with no interest must be erased");
    assert((w->reader_id != 0) == (w->reader != nullptr) &&
           (w->writer_id != 0) == (w->writer != nullptr) &&
           "watchers: an id must be nonzero exactly when its callback is set");
    assert(key != nullptr && key->events == w->interest() && key->data == w &&
           "watchers: the selector must hold the fd with the watcher's interest and address");
#endif
}

// The first interest in an fd registers it; a second one (a writer beside a
// reader) modifies the same registration: a selector holds each fd once, and a
// second register_fd would be a KeyError.
void EventLoop::add_watcher(int fd, Callback cb, bool reading) {
    //@scratch ch03.add_watcher
    //@exercise ch03.add_watcher  Refuse bad input; register (or widen) fd for a new callback.
    check_closed();
    const char* caller = reading ? "add_reader" : "add_writer";
    if (fd < 0)
        throw ValueError(std::string(caller) + ": invalid file descriptor " + std::to_string(fd));
    if (!cb) throw ValueError(std::string(caller) + ": the callback is empty");
    auto [found, inserted] = watchers_.try_emplace(fd);
    detail::IoWatcher& watcher = found->second;
    unsigned before = watcher.interest();
    unsigned wanted = before | (reading ? EVENT_READ : EVENT_WRITE);
    try {
        if (before == 0)
            selector_->register_fd(fd, wanted, &watcher);
        else if (wanted != before)
            selector_->modify(fd, wanted, &watcher);
    } catch (...) {
        if (inserted) watchers_.erase(found); // bad input leaves the loop as it was
        throw;
    }
    // A fresh id even when replacing: events collected for the old callback go stale.
    (reading ? watcher.reader : watcher.writer) = std::make_shared<Callback>(std::move(cb));
    if (next_io_id_ == 0) next_io_id_ = 1; // 0 means "none"; wrapping takes 4e9 add_* calls
    (reading ? watcher.reader_id : watcher.writer_id) = next_io_id_++;
    //@end
    //@end
}

// The last interest gone, the fd leaves the selector; otherwise the registration
// shrinks to what is left.
bool EventLoop::remove_watcher(int fd, bool reading) {
    //@scratch ch03.remove_watcher
    //@exercise ch03.remove_watcher  Remove the reader (or writer); shrink or drop the registration.
    auto found = watchers_.find(fd);
    if (found == watchers_.end()) return false;
    detail::IoWatcher& watcher = found->second;
    std::uint32_t& id = reading ? watcher.reader_id : watcher.writer_id;
    if (id == 0) return false;
    id = 0; // an event already queued for it is stale now: dispatch_io skips it
    (reading ? watcher.reader : watcher.writer).reset();
    if (unsigned left = watcher.interest(); left != 0) {
        selector_->modify(fd, left, &watcher);
    } else {
        selector_->unregister(fd);
        watchers_.erase(found);
    }
    return true;
    //@end
    //@end
}

// Queues one entry per ready interest. The entry names the fd and the id of the
// registration select() reported, not the callback: it looks the callback up when
// it runs, so a callback removed (or an fd closed and reopened under the same
// number) earlier in the same pass does not run. The capture is 16 bytes and
// trivially copyable: it fits std::function's small buffer, no allocation.
std::size_t EventLoop::queue_io_callbacks(const std::vector<ReadyEvent>& events) {
    //@scratch ch03.queue_io_callbacks
    //@exercise ch03.queue_io_callbacks  Queue an (fd, id) entry per ready interest; take the posts.
    std::size_t posted = 0;
    for (const ReadyEvent& event : events) {
        if (event.data == nullptr) { // the wake-up fd: another thread posted callbacks
            posted += answer_wakeup();
            continue;
        }
        const auto& watcher = *static_cast<const detail::IoWatcher*>(event.data);
        for (std::uint32_t id : {(event.events & EVENT_READ) ? watcher.reader_id : 0u,
                                 (event.events & EVENT_WRITE) ? watcher.writer_id : 0u}) {
            if (id == 0) continue;
            int fd = event.fd;
            ready_.push([this, fd, id] { dispatch_io(fd, id); });
        }
    }
    return posted;
    //@end
    //@end
}

// Runs the callback registered under id for fd, if it still is.
void EventLoop::dispatch_io(int fd, std::uint32_t id) {
    //@scratch ch03.dispatch_io
    //@exercise ch03.dispatch_io  Run the fd callback registered under this id, if it still is.
    auto found = watchers_.find(fd);
    if (found == watchers_.end()) return; // removed earlier in this pass
    detail::IoWatcher& watcher = found->second;
    std::shared_ptr<Callback> callback = watcher.reader_id == id   ? watcher.reader
                                         : watcher.writer_id == id ? watcher.writer
                                                                   : nullptr;
    if (callback) (*callback)(); // our copy keeps it alive if it removes itself
    //@end
    //@end
}

// close(): forget every fd. The selector forgets them too; unregister works
// even for an fd the program closed already.
void EventLoop::drop_watchers() {
    for (auto& [fd, watcher] : watchers_) {
        check_watcher(fd);
        try {
            selector_->unregister(fd);
        } catch (const std::exception&) {
        }
    }
    watchers_.clear();
}

} // namespace aio
