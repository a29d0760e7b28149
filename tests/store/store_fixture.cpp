#include "store_fixture.hpp"

#include "sha256.hpp"

#include <algorithm>
#include <archive.h>
#include <archive_entry.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <format>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace store_test {

using spectrum::vmbridge::store::EntryKind;
using spectrum::vmbridge::store::format_manifest;
using spectrum::vmbridge::store::Sha256;

namespace {

void check(bool ok, const std::string& what) {
    if (!ok) throw std::runtime_error(std::format("{}: {}", what, std::strerror(errno)));
}

std::string sha256_of(std::string_view content) {
    Sha256 sum;
    sum.update(std::as_bytes(std::span(content)));
    return sum.hex_digest();
}

std::string sha256_of_file(const fs::path& path) {
    Sha256 sum;
    std::ifstream in(path, std::ios::binary);
    std::vector<char> buffer(1 << 20);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        sum.update(std::as_bytes(std::span(buffer).first(static_cast<std::size_t>(in.gcount()))));
    }
    return sum.hex_digest();
}

} // namespace

TempDir::TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::format("{}/store-test-XXXXXX", base != nullptr ? base : "/tmp");
    check(mkdtemp(pattern.data()) != nullptr, "mkdtemp");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    // Restored directories may have had their write bit removed: give it back first.
    for (auto it = fs::recursive_directory_iterator(path_, ignored);
         it != fs::recursive_directory_iterator(); it.increment(ignored)) {
        if (it->is_directory(ignored) && !it->is_symlink(ignored))
            fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ignored);
    }
    fs::remove_all(path_, ignored);
}

void write_file(const fs::path& path, std::string_view content, unsigned mode) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    check(fd >= 0, path.string());
    check(write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()),
          path.string());
    check(fchmod(fd, mode) == 0, path.string());
    close(fd);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void make_dir(const fs::path& path, unsigned mode) {
    fs::create_directories(path);
    check(chmod(path.c_str(), mode) == 0, path.string());
}

void make_sparse_image(const fs::path& path, std::uint64_t size, std::string_view head,
                       std::string_view tail) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    check(fd >= 0, path.string());
    check(ftruncate(fd, static_cast<off_t>(size)) == 0, path.string());
    check(pwrite(fd, head.data(), head.size(), 0) == static_cast<ssize_t>(head.size()), "pwrite");
    check(pwrite(fd, tail.data(), tail.size(), static_cast<off_t>(size - tail.size())) ==
              static_cast<ssize_t>(tail.size()),
          "pwrite");
    close(fd);
}

std::uint64_t allocated_bytes(const fs::path& path) {
    struct stat info {};
    check(stat(path.c_str(), &info) == 0, path.string());
    return static_cast<std::uint64_t>(info.st_blocks) * 512;
}

std::string noise(std::size_t size, std::uint64_t seed) {
    std::string bytes(size, '\0');
    std::uint64_t state = seed * 0x9e3779b97f4a7c15ull + 1;
    for (auto& byte : bytes) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        byte = static_cast<char>(state >> 56);
    }
    return bytes;
}

std::string tree_listing(const fs::path& root) {
    if (!fs::exists(root)) return "";
    std::vector<std::string> lines;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        struct stat info {};
        check(lstat(entry.path().c_str(), &info) == 0, entry.path().string());
        auto relative = fs::relative(entry.path(), root).string();
        auto mode = info.st_mode & 07777;
        if (S_ISDIR(info.st_mode))
            lines.push_back(std::format("dir {:04o} {}", mode, relative));
        else if (S_ISREG(info.st_mode))
            lines.push_back(std::format("file {:04o} {} {} {}", mode, info.st_size,
                                        sha256_of_file(entry.path()), relative));
        else
            lines.push_back(std::format("other {:o} {}", info.st_mode, relative));
    }
    std::ranges::sort(lines);
    std::string text;
    for (const auto& line : lines)
        text += line + "\n";
    return text;
}

std::string as_restored(const std::string& listing) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < listing.size()) {
        auto end = listing.find('\n', start);
        if (end == std::string::npos) end = listing.size();
        std::string line = listing.substr(start, end - start);
        if (line.starts_with("dir ")) line.replace(4, 4, "0700");
        else if (line.starts_with("file ")) line.replace(5, 4, "0600");
        lines.push_back(std::move(line));
        start = end + 1;
    }
    std::ranges::sort(lines); // as tree_listing() sorts
    std::string out;
    for (const auto& line : lines) out += line + "\n";
    return out;
}

void make_sample_store(const fs::path& state) {
    make_dir(state, 0700);

    make_dir(state / "web", 0700);
    make_sparse_image(state / "web" / "state.img", 64ull << 20, "HEAD of the web VM's disk",
                      "TAIL of the web VM's disk");
    make_dir(state / "web" / "home" / "user" / "docs", 0755);
    write_file(state / "web" / "home" / "user" / "docs" / "notes 2024.txt", "with a space\n", 0600);
    write_file(state / "web" / "home" / "user" / "docs" / "café.txt", "non-ASCII name\n");
    write_file(state / "web" / "home" / "user" / "run.sh", "#!/bin/sh\necho hi\n", 0755);
    write_file(state / "web" / "empty", "");
    make_dir(state / "web" / "cache", 0750);
    auto deep = state / "web" / std::string(60, 'a') / std::string(60, 'b');
    make_dir(deep, 0700);
    write_file(deep / "a-name-that-makes-the-path-longer-than-one-hundred-bytes.dat", "long\n");
    write_file(state / "web" / "marker.txt", std::format("before {} after\n", kMarker));

    make_dir(state / "mail", 0700);
    write_file(state / "mail" / "mbox", noise(300 << 10, 1), 0600);
    make_dir(state / "mail" / "empty-dir", 0700);
    write_file(state / "mail" / "zero-length", "", 0600);

    make_dir(state / "empty-vm", 0700);
}

std::string sample_config(const fs::path& state_dir) {
    return std::format("# a test config\nstate_dir = \"{}\"\n", state_dir.string());
}

struct ArchiveBuilder::Handle {
    archive* writer = nullptr;
};

ArchiveBuilder::ArchiveBuilder(const fs::path& file) : handle_(new Handle) {
    handle_->writer = archive_write_new();
    archive_write_set_format_pax_restricted(handle_->writer);
    check(archive_write_open_filename(handle_->writer, file.c_str()) == ARCHIVE_OK, file.string());
}

ArchiveBuilder::~ArchiveBuilder() {
    close();
    delete handle_;
}

void ArchiveBuilder::close() {
    if (handle_->writer == nullptr) return;
    archive_write_close(handle_->writer);
    archive_write_free(handle_->writer);
    handle_->writer = nullptr;
}

void ArchiveBuilder::header(const std::string& path, unsigned type, unsigned mode,
                            std::uint64_t size) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, path.c_str());
    archive_entry_set_filetype(entry, type);
    archive_entry_set_perm(entry, mode);
    archive_entry_set_size(entry, static_cast<la_int64_t>(size));
    archive_entry_set_mtime(entry, 1700000000, 0);
    if (type == AE_IFCHR) archive_entry_set_rdev(entry, makedev(1, 3));
    if (archive_write_header(handle_->writer, entry) != ARCHIVE_OK)
        throw std::runtime_error(archive_error_string(handle_->writer));
    archive_entry_free(entry);
}

ArchiveBuilder& ArchiveBuilder::dir(const std::string& path, unsigned mode, bool listed) {
    header(path, AE_IFDIR, mode, 0);
    if (listed) listed_.push_back({EntryKind::Directory, path, mode, 0, ""});
    return *this;
}

ArchiveBuilder& ArchiveBuilder::file(const std::string& path, std::string_view content,
                                     unsigned mode, bool listed) {
    header(path, AE_IFREG, mode, content.size());
    archive_write_data(handle_->writer, content.data(), content.size());
    if (listed) listed_.push_back(listed_file(path, content, mode));
    return *this;
}

ArchiveBuilder& ArchiveBuilder::symlink(const std::string& path, const std::string& target) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, path.c_str());
    archive_entry_set_filetype(entry, AE_IFLNK);
    archive_entry_set_perm(entry, 0777);
    archive_entry_set_symlink(entry, target.c_str());
    archive_write_header(handle_->writer, entry);
    archive_entry_free(entry);
    listed_.push_back(listed_file(path, "", 0777));
    return *this;
}

ArchiveBuilder& ArchiveBuilder::hardlink(const std::string& path, const std::string& target) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, path.c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_hardlink(entry, target.c_str());
    archive_write_header(handle_->writer, entry);
    archive_entry_free(entry);
    listed_.push_back(listed_file(path, "", 0644));
    return *this;
}

ArchiveBuilder& ArchiveBuilder::fifo(const std::string& path) {
    header(path, AE_IFIFO, 0644, 0);
    listed_.push_back(listed_file(path, "", 0644));
    return *this;
}

ArchiveBuilder& ArchiveBuilder::char_device(const std::string& path) {
    header(path, AE_IFCHR, 0666, 0);
    listed_.push_back(listed_file(path, "", 0666));
    return *this;
}

ArchiveBuilder& ArchiveBuilder::list_only(ManifestEntry entry) {
    listed_.push_back(std::move(entry));
    return *this;
}

ArchiveBuilder& ArchiveBuilder::config(const fs::path& state_dir) {
    return file("config/spectrum.toml", sample_config(state_dir));
}

ArchiveBuilder& ArchiveBuilder::manifest() {
    return raw_manifest(format_manifest(listed_));
}

ArchiveBuilder& ArchiveBuilder::raw_manifest(std::string_view text) {
    header("MANIFEST", AE_IFREG, 0644, text.size());
    archive_write_data(handle_->writer, text.data(), text.size());
    return *this;
}

ManifestEntry listed_file(const std::string& path, std::string_view content, unsigned mode) {
    return {EntryKind::File, path, mode, content.size(), sha256_of(content)};
}

} // namespace store_test
