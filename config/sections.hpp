// One reader per TOML section of the config file. Each file named *_section.cpp holds the
// schema of one section; parser.cpp ties them together.
#pragma once

#include "reader.hpp"

#include <string>
#include <vector>

namespace spectrum::config::detail {

// [limits], and [vm.NAME.limits] with the same keys.
std::vector<Field<Limits>> limits_fields();

// [keys]: each entry replaces, adds or (with "none") removes one of `bindings`.
Status read_keys(const Value& value, std::vector<Binding>& bindings);

// [clipboard], with its [[clipboard.rule]] tables.
std::vector<Field<ClipboardConfig>> clipboard_fields();

// [[output]]
Status read_outputs(const Value& value, std::vector<OutputConfig>& outputs);

// A [vm.NAME.limits] table, read once the global [limits] (which may come later in the
// file) is known.
struct PendingLimits {
    std::string vm_name;
    Value value;
};

// [vm.NAME] tables, appended to `vms` in file order.
Status read_vms(const Value& value, std::vector<VmConfig>& vms,
                std::vector<PendingLimits>& pending_limits);

// [image.NAME] tables, appended to `images` in file order.
Status read_image_tables(const Value& value, std::vector<ImageConfig>& images);

} // namespace spectrum::config::detail
