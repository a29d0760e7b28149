// Backup, verify and restore throughput on one VM with a 256 MiB disk image: dense noise
// (the worst case: nothing to compress, nothing to skip) and a sparse image. Prints a
// table; asserts nothing about speed. Run: meson test --benchmark, or the binary with a
// directory argument to measure another filesystem than $TMPDIR.
#include "store.hpp"
#include "store_fixture.hpp"

#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <format>
#include <print>
#include <unistd.h>

namespace {

using namespace store_test;
namespace store = spectrum::vmbridge::store;

constexpr std::uint64_t kImageBytes = 256ull << 20;

void write_noise_image(const fs::path& path) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    for (std::uint64_t done = 0; done < kImageBytes; done += 8 << 20) {
        auto chunk = noise(8 << 20, done);
        if (write(fd, chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size())) {
            std::println(stderr, "cannot write {}", path.string());
            std::exit(1);
        }
    }
    close(fd);
}

template <typename Step> double seconds(Step step) {
    auto start = std::chrono::steady_clock::now();
    step();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template <typename Result> void require(const Result& result) {
    if (!result) {
        std::println(stderr, "{}", result.error());
        std::exit(1);
    }
}

void measure(const fs::path& work, const std::string& image_kind, const std::string& suffix) {
    auto state = work / "state";
    auto config = work / "spectrum.toml";
    auto archive = work / ("bench" + suffix);
    auto restored = work / "restored";
    std::error_code ignored;
    fs::remove_all(restored, ignored);
    fs::remove(archive, ignored);

    double backup_s = seconds([&] { require(store::backup(config, state, archive)); });
    auto archive_bytes = fs::file_size(archive);
    double verify_s = seconds([&] { require(store::verify(archive)); });
    double restore_s = seconds([&] { require(store::restore(archive, config, restored, false)); });

    auto mib_s = [](double s) { return static_cast<double>(kImageBytes >> 20) / s; };
    std::println(
        "| {:<6} | {:<8} | {:>9.1f} | {:>6.2f} s {:>6.0f} MiB/s | {:>6.2f} s {:>6.0f} MiB/s | "
        "{:>6.2f} s {:>6.0f} MiB/s |",
        image_kind, suffix, static_cast<double>(archive_bytes) / (1 << 20), backup_s,
        mib_s(backup_s), verify_s, mib_s(verify_s), restore_s, mib_s(restore_s));
    fs::remove_all(restored, ignored);
    fs::remove(archive, ignored);
}

} // namespace

int main(int argc, char** argv) {
    std::optional<TempDir> scratch;
    fs::path work;
    if (argc > 1) {
        work = fs::path(argv[1]) / "store-bench";
        fs::remove_all(work);
        fs::create_directories(work);
    } else {
        scratch.emplace();
        work = scratch->path();
    }
    auto config = work / "spectrum.toml";
    write_file(config, sample_config(work / "state"));
    make_dir(work / "state" / "web");

    std::println("store throughput in {} (one VM, one 256 MiB image; restore includes fsync)",
                 work.string());
    std::println("| image  | archive  | size MiB  | backup                | verify                "
                 "| restore               |");
    std::println("|--------|----------|-----------|-----------------------|-----------------------|"
                 "-----------------------|");
    write_noise_image(work / "state" / "web" / "state.img");
    for (std::string suffix : {".tar", ".tar.zst", ".tar.gz"})
        measure(work, "dense", suffix);

    make_sparse_image(work / "state" / "web" / "state.img", kImageBytes, noise(1 << 20, 1),
                      noise(1 << 20, 2));
    for (std::string suffix : {".tar", ".tar.zst"})
        measure(work, "sparse", suffix);

    if (argc > 1) fs::remove_all(work);
    return 0;
}
