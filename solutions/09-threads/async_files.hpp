// Files without blocking the loop: each read or write runs on the default
// executor (the aiofiles pattern; asyncio has no async file API of its own).
#pragma once

#include <string>

#include "coro.hpp"

namespace aio {

// The whole file. std::system_error with the failing call's errno and the path
// ("open /no/such/file: No such file or directory").
Coro<std::string> read_file(std::string path);
// Creates the file (mode 0644, less the umask) or truncates it, then writes
// every byte. Errors as read_file.
Coro<void> write_file(std::string path, std::string data);

} // namespace aio
