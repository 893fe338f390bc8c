// `make test` replays the fuzz corpus through the targets with the kit's own
// compiler (no clang, no libFuzzer): every input that ever found a bug stays a
// regression test.  Usage: fuzz_replay request=DIR response=DIR json=DIR
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "fuzz_targets.hpp"

namespace fs = std::filesystem;

int replay(const std::string& target, const fs::path& dir) {
    auto run = target == "request"    ? looplab_fuzz::request
               : target == "response" ? looplab_fuzz::response
                                      : looplab_fuzz::json;
    int count = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        std::ifstream in(entry.path(), std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), {});
        try {
            run(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        } catch (const std::exception& e) {
            std::printf("fuzz replay: %s: %s escaped: %s\n", target.c_str(), entry.path().c_str(),
                        e.what());
            return -1;
        }
        ++count;
    }
    return count;
}

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        std::string target = arg.substr(0, arg.find('=')), dir = arg.substr(arg.find('=') + 1);
        int count = replay(target, dir);
        if (count < 0) return 1;
        std::printf("  fuzz corpus: %d %s inputs replayed, none crashed\n", count, target.c_str());
    }
    return 0;
}
