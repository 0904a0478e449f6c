// Replays saved fuzz inputs through a fuzz target's entry point without libFuzzer, so the ordinary
// test suite (any compiler, no sanitizers needed) keeps every crash found by fuzzing fixed:
//   fuzz_replay_TARGET PATH...   (files, or directories read recursively in sorted order)
// Each input runs in this process; a broken invariant aborts (fuzz_common.cpp) naming the input
// printed just before. Hidden files and *.md are skipped. Exit 0 when every input ran.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

int main(int argc, char** argv) {
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        const fs::path path = argv[i];
        if (fs::is_directory(path)) {
            for (const auto& entry : fs::recursive_directory_iterator(path))
                if (entry.is_regular_file()) files.push_back(entry.path());
        } else if (fs::is_regular_file(path)) {
            files.push_back(path);
        } else {
            std::fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
            return 2;
        }
    }
    std::sort(files.begin(), files.end());
    std::size_t ran = 0;
    for (const auto& file : files) {
        const std::string name = file.filename().string();
        if (name.empty() || name[0] == '.' || file.extension() == ".md") continue;
        std::ifstream in(file, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::fprintf(stderr, "replay: %s (%zu bytes)\n", file.string().c_str(), bytes.size());
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        ++ran;
    }
    std::fprintf(stderr, "replay: %zu input(s) ran cleanly\n", ran);
    return 0;
}
