// Building images: apt (resolving versions against a private package index), mmdebstrap,
// mkfs.erofs, and the cache in image_dir with its locks.
#pragma once

#include "config.hpp"
#include "image.hpp"

#include <expected>
#include <filesystem>
#include <string>
#include <vector>

namespace spectrum::image {

// Where the builder's own files are and what it builds for.
struct Environment {
    std::filesystem::path image_dir;
    std::filesystem::path base_packages; // the base list file
    std::filesystem::path guest_dir;     // vmbridge/guest/image (may be missing)
    std::filesystem::path customize;     // the guest's mmdebstrap customize hook
    std::vector<std::filesystem::path> sources; // apt sources files (one-line or deb822)
    BuilderInputs inputs;
    std::vector<std::string> base; // parsed base list
};

// Finds the base list, the guest hook, the apt sources, the suite and the architecture.
// Reads no network and writes nothing.
std::expected<Environment, std::string> discover(const std::filesystem::path& image_dir);

// Exit statuses of `paths`.
inline constexpr int exit_ok = 0;
inline constexpr int exit_error = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_not_built = 3;

// spectrum-image build: each image in turn; stops at the first failure.
int build_images(const Environment& env, const config::Config& config,
                 const std::vector<std::string>& names, bool update);

// spectrum-image paths NAME.
int print_paths(const Environment& env, const config::Config& config, const std::string& name);

// spectrum-image list.
int list_images(const Environment& env, const config::Config& config, bool json);

} // namespace spectrum::image
