// Tells when a source file of one folder is saved. On Linux, inotify: one fd
// the loop reads like a socket (asyncio has no file watching of its own;
// watchfiles and watchdog do this for Python). Where inotify is missing or
// refused, a scan of modification times every second stands in for it.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "event_loop.hpp"

namespace looplab {

class FolderWatch {
public:
    using OnChange = std::function<void(const std::string& file)>;

    // Watches *.cpp, *.hpp and *.h directly in `folder`; on_change runs on the
    // loop with the file's name, once per change reported. `poll`: use the
    // fallback even where inotify works (the tests of the fallback do).
    FolderWatch(aio::EventLoop& loop, std::filesystem::path folder, OnChange on_change,
                bool poll = false);
    ~FolderWatch();
    FolderWatch(const FolderWatch&) = delete;
    FolderWatch& operator=(const FolderWatch&) = delete;

    bool polling() const { return inotify_fd_ < 0; }

    // Whether `name` is a file a learner edits (editors' swap and backup files are not).
    static bool is_source(const std::string& name);

private:
    void read_events(); // inotify fd readable
    void scan();        // the polling fallback, every second
    std::map<std::string, std::filesystem::file_time_type> modification_times() const;

    aio::EventLoop& loop_;
    std::filesystem::path folder_;
    OnChange on_change_;
    int inotify_fd_ = -1;
    std::map<std::string, std::filesystem::file_time_type> last_seen_; // polling only
    aio::TimerHandle next_scan_;
};

} // namespace looplab
