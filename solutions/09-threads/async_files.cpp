// read_file and write_file: the blocking system calls run on a worker, the
// coroutine waits on the loop (Python: aiofiles, or asyncio.to_thread(open...)).
#include "async_files.hpp"

#include <cerrno>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>

#include "loop_bridge.hpp"

namespace aio {

namespace {
[[noreturn]] void throw_errno(const char* call, const std::string& path) {
    throw std::system_error(errno, std::generic_category(), std::string(call) + " " + path);
}

// Closes the fd however the function is left.
class FileDescriptor {
public:
    FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() { ::close(fd_); }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};
} // namespace

// Each job is the blocking half, run on a worker; the coroutine waits on the
// loop. The job is named before the co_await: GCC 12 destroys a capturing
// lambda twice when it is a temporary inside the co_await expression.
Coro<std::string> read_file(std::string path) {
    //@scratch ch09.read_file
    //@exercise ch09.read_file  A named job that reads the whole file, awaited via to_thread.
    auto job = [path] {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw_errno("open", path);
        FileDescriptor file(fd);
        std::string text;
        char chunk[65536];
        for (;;) {
            ssize_t n = ::read(file.get(), chunk, sizeof chunk);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw_errno("read", path);
            if (n == 0) return text;
            text.append(chunk, static_cast<std::size_t>(n));
        }
    };
    co_return co_await to_thread(std::move(job));
    //@end
    //@end
}

Coro<void> write_file(std::string path, std::string data) {
    //@scratch ch09.write_file
    //@exercise ch09.write_file  A named job that creates/truncates and writes all, via to_thread.
    auto job = [path, data = std::move(data)] {
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) throw_errno("open", path);
        FileDescriptor file(fd);
        std::size_t written = 0;
        while (written < data.size()) {
            ssize_t n = ::write(file.get(), data.data() + written, data.size() - written);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw_errno("write", path);
            written += static_cast<std::size_t>(n);
        }
    };
    co_await to_thread(std::move(job));
    //@end
    //@end
}

} // namespace aio
