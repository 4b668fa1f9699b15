// Runs a fuzz target's LLVMFuzzerTestOneInput over saved inputs, without libFuzzer,
// so that every build (GCC included, and the sanitizer suites) replays the committed
// corpus and every crash reproducer as a regression test.
//
//   fuzz_<target>_replay DIR_OR_FILE...
//
// Directories are read in name order (names starting with '.' are skipped); a
// directory that does not exist holds no input. Fails when nothing was replayed, so
// that a misplaced corpus cannot pass unnoticed; an input that crashes aborts.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs_in(const fs::path& path) {
  if (!fs::is_directory(path)) return fs::exists(path) ? std::vector<fs::path>{path} : std::vector<fs::path>{};
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(path)) {
    if (entry.is_regular_file() && entry.path().filename().string().front() != '.') files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  size_t replayed = 0;
  for (int i = 1; i < argc; ++i) {
    for (const fs::path& file : inputs_in(argv[i])) {
      std::ifstream in(file, std::ios::binary);
      const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      // One byte of storage even for an empty input, so that data() is never null.
      std::vector<uint8_t> input(bytes.begin(), bytes.end());
      input.reserve(1);
      LLVMFuzzerTestOneInput(input.data(), bytes.size());
      ++replayed;
    }
  }
  std::printf("replayed %zu inputs\n", replayed);
  return replayed > 0 ? 0 : 1;
}
