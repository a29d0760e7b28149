// [image.NAME]: the Debian packages of one VM image, built by spectrum-image.
#include "sections.hpp"
#include "text.hpp"

#include <format>

namespace spectrum::config::detail {

namespace {

Status read_packages(const Value& value, ImageConfig& image) {
    const auto* array = value.node.as_array();
    if (!array) return expected_but_got(value, "an array of Debian package names");
    for (std::size_t i = 0; i < array->size(); ++i) {
        Value item{*array->get(i), std::format("{}[{}]", value.path, i), value.file};
        const auto* text = item.node.as_string();
        if (!text || !valid_package_name(text->get()))
            return expected_but_got(item, "a Debian package name (a-z, 0-9, \"+\", \"-\", \".\"; "
                                          "at least 2 characters, starting with a letter or digit)");
        image.packages.push_back(text->get());
    }
    return {};
}

std::vector<Field<ImageConfig>> image_fields() {
    return {{"packages", read_packages}};
}

} // namespace

Status read_image_tables(const Value& value, std::vector<ImageConfig>& images) {
    auto table = read_table(value);
    if (!table) return std::unexpected(std::move(table.error()));
    const auto fields = image_fields();
    for (auto [key, node] : in_file_order(**table)) {
        std::string name(key->str());
        Value entry{*node, join_path(value.path, name), value.file};
        if (name == base_image_name)
            return fail(entry, "the name \"base\" is the built-in image (the base packages "
                               "only); choose another name");
        if (!valid_vm_name(name))
            return fail(entry, std::format("invalid image name {}: expected 1 to 32 characters "
                                           "from a-z, 0-9 and \"-\"",
                                           in_quotes(name)));
        if (!node->is_table())
            return expected_but_got(entry, std::format("a table [image.{}]", name));

        ImageConfig image;
        image.name = name;
        image.line = static_cast<int>(node->source().begin.line);
        image.column = static_cast<int>(node->source().begin.column);
        if (auto status = read_fields(entry, fields, image); !status) return status;
        images.push_back(std::move(image));
    }
    return {};
}

} // namespace spectrum::config::detail
