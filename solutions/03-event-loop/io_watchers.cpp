// I/O readiness callbacks: one reader and one writer per fd sharing one selector
// registration (asyncio: BaseSelectorEventLoop._add_reader, _remove_reader,
// _process_events).
#include <string>

#include "event_loop.hpp"

namespace aio {

void EventLoop::add_reader(int fd, Callback cb) {
    add_watcher(fd, std::move(cb), true, "add_reader");
}
void EventLoop::add_writer(int fd, Callback cb) {
    add_watcher(fd, std::move(cb), false, "add_writer");
}
bool EventLoop::remove_reader(int fd) {
    return remove_watcher(fd, true);
}
bool EventLoop::remove_writer(int fd) {
    return remove_watcher(fd, false);
}

// The first interest in an fd registers it; a second one (a writer beside a
// reader) modifies the same registration: a selector holds each fd once, and a
// second register_fd would be a KeyError.
void EventLoop::add_watcher(int fd, Callback cb, bool reading, const char* caller) {
    check_closed();
    if (fd < 0)
        throw ValueError(std::string(caller) + ": invalid file descriptor " + std::to_string(fd));
    if (!cb) throw ValueError(std::string(caller) + ": the callback is empty");
    //@exercise ch03.add_reader  Register the first interest, modify() for the second.
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
    (reading ? watcher.reader_id : watcher.writer_id) = new_io_id();
    //@end
}

// The last interest gone, the fd leaves the selector; otherwise the registration
// shrinks to what is left.
bool EventLoop::remove_watcher(int fd, bool reading) {
    if (closed_) return false;
    //@exercise ch03.remove_reader  Zero the id; unregister, or modify() to what is left.
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
}

// Queues one entry per ready interest. The entry names the fd and the id of the
// registration select() reported, not the callback: it looks the callback up when
// it runs, so a callback removed (or an fd closed and reopened under the same
// number) earlier in the same pass does not run. The capture is 16 bytes and
// trivially copyable: it fits std::function's small buffer, no allocation.
std::size_t EventLoop::queue_io_callbacks(const std::vector<ReadyEvent>& events) {
    std::size_t posted = 0;
    for (const ReadyEvent& event : events) {
        if (event.data == nullptr) { // the wake-up fd: another thread posted callbacks
            posted += take_posted();
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
}

void EventLoop::dispatch_io(int fd, std::uint32_t id) {
    auto found = watchers_.find(fd);
    if (found == watchers_.end()) return; // removed earlier in this pass
    detail::IoWatcher& watcher = found->second;
    std::shared_ptr<Callback> callback = watcher.reader_id == id   ? watcher.reader
                                         : watcher.writer_id == id ? watcher.writer
                                                                   : nullptr;
    if (callback) (*callback)(); // our copy keeps it alive if it removes itself
}

std::uint32_t EventLoop::new_io_id() {
    if (next_io_id_ == 0) next_io_id_ = 1; // 0 means "none"; wrapping takes 4e9 add_* calls
    return next_io_id_++;
}

// close(): forget every fd. The selector forgets them too; unregister works
// even for an fd the program closed already.
void EventLoop::drop_watchers() {
    for (auto& [fd, watcher] : watchers_) {
        try {
            selector_->unregister(fd);
        } catch (const std::exception&) {
        }
    }
    watchers_.clear();
}

} // namespace aio
