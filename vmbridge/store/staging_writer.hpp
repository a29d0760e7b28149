// The sink of a restore's second pass: writes the store into a fresh staging directory and
// the config into a temporary file, both renamed into place only after the whole archive
// has been checked again.
#pragma once

#include "archive_scan.hpp"
#include "posix_file.hpp"

#include <filesystem>
#include <vector>

namespace spectrum::vmbridge::store {

// The modes a restore gives, whatever the archive (and its MANIFEST) says: an archive is
// data, and a mode-0666 config or a world-readable VM directory from one is an attack.
inline constexpr std::uint32_t kRestoredFileMode = 0600;
inline constexpr std::uint32_t kRestoredDirectoryMode = 0700;

class StagingWriter : public EntrySink {
  public:
    // `staging` is an empty directory that becomes the store; `config_fd` is open for
    // writing on the empty file `config_path` that becomes the config.
    StagingWriter(std::filesystem::path staging, int config_fd, std::filesystem::path config_path);

    std::expected<void, std::string> directory(const EntryInfo& info) override;
    std::expected<void, std::string> begin_file(const EntryInfo& info) override;
    std::expected<void, std::string> file_data(std::span<const std::byte> data,
                                               std::uint64_t offset) override;
    std::expected<void, std::string> end_file() override;

    // Gives directories their modes and mtimes (last, so creating their contents neither
    // needed write permission nor changed the mtime) and makes everything durable.
    std::expected<void, std::string> finish();

  private:
    struct Directory {
        std::filesystem::path path;
        std::uint32_t mode;
        timespec mtime;
    };

    std::filesystem::path staging_;
    int config_fd_;
    std::filesystem::path config_path_;

    UniqueFd file_;       // the state file being written
    int current_fd_ = -1; // file_ or config_fd_
    std::filesystem::path current_path_;
    EntryInfo current_;
    std::vector<Directory> directories_;
};

} // namespace spectrum::vmbridge::store
