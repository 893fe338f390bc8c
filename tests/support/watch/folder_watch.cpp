// FolderWatch: inotify on the loop, or polling (folder_watch.hpp).
#include "folder_watch.hpp"

#include <cerrno>
#include <sys/inotify.h>
#include <unistd.h>

namespace looplab {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

FolderWatch::FolderWatch(aio::EventLoop& loop, fs::path folder, OnChange on_change, bool poll)
    : loop_(loop), folder_(std::move(folder)), on_change_(std::move(on_change)) {
    // Editors save by writing in place (CLOSE_WRITE) or by renaming a new
    // file over the old one (MOVED_TO); both count, as do new and deleted files.
    constexpr std::uint32_t saved = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE;
    if (!poll) inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify_fd_ >= 0 && ::inotify_add_watch(inotify_fd_, folder_.c_str(), saved) < 0) {
        ::close(inotify_fd_);
        inotify_fd_ = -1;
    }
    if (inotify_fd_ >= 0) {
        loop_.add_reader(inotify_fd_, [this] { read_events(); });
    } else {
        last_seen_ = modification_times();
        next_scan_ = loop_.call_later(1s, [this] { scan(); });
    }
}

FolderWatch::~FolderWatch() {
    if (inotify_fd_ >= 0) {
        if (!loop_.is_closed()) loop_.remove_reader(inotify_fd_);
        ::close(inotify_fd_);
    } else {
        next_scan_.cancel();
    }
}

bool FolderWatch::is_source(const std::string& name) {
    auto ends_with = [&name](const std::string& tail) {
        return name.size() > tail.size() &&
               name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
    };
    if (name.empty() || name[0] == '.' || name[0] == '#') return false; // .x.swp, emacs' #x#
    return ends_with(".cpp") || ends_with(".hpp") || ends_with(".h");
}

void FolderWatch::read_events() {
    alignas(inotify_event) char buffer[4096];
    for (;;) {
        ssize_t got = ::read(inotify_fd_, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return; // EAGAIN: all read
        for (char* at = buffer; at < buffer + got;) {
            auto* event = reinterpret_cast<inotify_event*>(at);
            std::string name = event->len > 0 ? event->name : "";
            if (is_source(name)) on_change_(name);
            at += sizeof(inotify_event) + event->len;
        }
    }
}

std::map<std::string, fs::file_time_type> FolderWatch::modification_times() const {
    std::map<std::string, fs::file_time_type> times;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(folder_, error)) {
        std::string name = entry.path().filename().string();
        if (is_source(name)) times[name] = entry.last_write_time(error);
    }
    return times;
}

void FolderWatch::scan() {
    auto now = modification_times();
    for (const auto& [name, time] : now) {
        auto before = last_seen_.find(name);
        if (before == last_seen_.end() || before->second != time) on_change_(name);
    }
    for (const auto& [name, time] : last_seen_)
        if (!now.count(name)) on_change_(name);
    last_seen_ = std::move(now);
    next_scan_ = loop_.call_later(1s, [this] { scan(); });
}

} // namespace looplab
