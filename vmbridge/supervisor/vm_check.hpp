// Checks a VM's [vm.NAME] settings against the files they name, before anything starts, and
// turns relative paths into absolute ones (relative to the config file's directory).
#pragma once

#include "config.hpp"

#include <expected>
#include <filesystem>
#include <optional>
#include <string>

namespace spectrum::vmbridge {

struct CheckedVm {
    config::VmConfig vm; // kernel, initramfs and images made absolute
    bool launchable = false; // false: no kernel set, the supervisor leaves this VM alone
};

// The error names the config file and the VM's table: "FILE:LINE:COL: [vm.red] kernel
// "/x/vmlinuz" does not exist".
std::expected<CheckedVm, config::ConfigError> check_vm(const config::Config& config,
                                                      const config::VmConfig& vm);

// Why the image at `path` may not be attached, from its own header: a qcow2 (magic
// "QFI\xfb") with a backing file (bytes 8-15) or an external data file — files QEMU would
// open on the guest's behalf. Nothing for any other file. Every image is checked, whatever
// image_format says.
std::optional<std::string> qcow2_problem(const std::string& path);

// Where relative paths in `config` are taken from: its file's directory.
std::filesystem::path config_base_dir(const config::Config& config);

// `path` made absolute against `base`; empty stays empty.
std::string absolute_from(const std::filesystem::path& base, const std::string& path);

} // namespace spectrum::vmbridge
