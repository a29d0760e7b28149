// The global state store: one directory per VM under `state_dir`, mode 0700, holding the
// VM's only writable disk. Created on first start and never deleted or rewritten by the
// supervisor, so rebuilding a VM's image or recreating the VM keeps its data.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

namespace spectrum::vmbridge {

inline constexpr std::uint64_t kDefaultStateDiskBytes = 256ull << 20;
inline constexpr std::string_view kStateDiskName = "state.img";

// Makes state_dir (0700 when it is new) and state_dir/<vm> (always 0700), and creates
// state_dir/<vm>/state.img as a sparse raw file of `size` bytes if it does not exist. An
// existing image is left as it is, whatever its size. Returns the image's path.
std::expected<std::filesystem::path, std::string>
prepare_state_disk(const std::filesystem::path& state_dir, std::string_view vm,
                   std::uint64_t size = kDefaultStateDiskBytes);

} // namespace spectrum::vmbridge
