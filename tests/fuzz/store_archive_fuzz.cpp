// The state store's archive scanner and restore (vmbridge/store): any bytes as an archive
// are refused with one line or scanned with every entry checked (plain paths, each file's
// data in order and within its size); an archive that passes the scan is restored into a
// scratch directory and reads back the same. The archive is plain tar here (compressed
// bytes would only fuzz zlib and zstd).
#include "archive_scan.hpp"
#include "entry_path.hpp"
#include "fuzz_check.hpp"
#include "store.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

using namespace spectrum::vmbridge::store;
namespace fs = std::filesystem;

namespace {

// Checks what scan_archive() hands a sink: the same calls restore's staging writer gets.
class CheckingSink : public EntrySink {
  public:
    std::expected<void, std::string> directory(const EntryInfo& info) override {
        FUZZ_CHECK(!in_file_);
        FUZZ_CHECK(!entry_path_problem(info.entry.path));
        FUZZ_CHECK(info.entry.kind == EntryKind::Directory);
        return {};
    }
    std::expected<void, std::string> begin_file(const EntryInfo& info) override {
        FUZZ_CHECK(!in_file_);
        FUZZ_CHECK(!entry_path_problem(info.entry.path));
        FUZZ_CHECK(info.entry.kind == EntryKind::File);
        in_file_ = true;
        size_ = info.entry.size;
        next_ = 0;
        return {};
    }
    std::expected<void, std::string> file_data(std::span<const std::byte> data, std::uint64_t offset) override {
        FUZZ_CHECK(in_file_);
        FUZZ_CHECK(offset >= next_);
        FUZZ_CHECK(offset <= size_ && data.size() <= size_ - offset);
        next_ = offset + data.size();
        return {};
    }
    std::expected<void, std::string> end_file() override {
        FUZZ_CHECK(in_file_);
        in_file_ = false;
        return {};
    }

  private:
    bool in_file_ = false;
    std::uint64_t size_ = 0, next_ = 0;
};

const fs::path& scratch() {
    static const fs::path dir = [] {
        std::string pattern = (fs::temp_directory_path() / "spectrum-fuzz-store-XXXXXX").string();
        FUZZ_CHECK(mkdtemp(pattern.data()));
        std::atexit([] { std::error_code e; fs::remove_all(scratch(), e); });
        return fs::path(pattern);
    }();
    return dir;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const int fd = memfd_create("archive", MFD_CLOEXEC);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(write(fd, data, size) == static_cast<ssize_t>(size));
    FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0);
    CheckingSink sink;
    const auto scanned = scan_archive(fd, &sink);
    FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0);
    const auto config = read_config_entry(fd);
    close(fd);
    if (!scanned) {
        FUZZ_CHECK(scanned.error().message.find('\n') == std::string::npos);
        return 0;
    }
    FUZZ_CHECK(config && config->size() <= kMaxConfigBytes);

    // It passed: restore it, as `spectrum-store restore --force` would.
    const fs::path archive = scratch() / "archive.tar";
    {
        const int out = open(archive.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
        FUZZ_CHECK(out >= 0 && write(out, data, size) == static_cast<ssize_t>(size));
        close(out);
    }
    const auto verified = verify(archive);
    FUZZ_CHECK(verified && *verified == summarize(*scanned));
    const auto restored = restore(archive, scratch() / "spectrum.toml", scratch() / "state", /*force=*/true);
    if (restored) FUZZ_CHECK(*restored == *verified);
    else FUZZ_CHECK(restored.error().find('\n') == std::string::npos);
    return 0;
}
