// The machinery that walks a parsed TOML document against a schema and turns every
// mistake into a ConfigError at the right line and column. A schema is a list of Fields:
// a key and the function that reads its value into a C++ struct.
#pragma once

#include "config.hpp"

#include <algorithm>
#include <cstdint>
#include <expected>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <toml++/toml.hpp>
#include <vector>

namespace spectrum::config::detail {

using Status = std::expected<void, ConfigError>;
template <class T> using Result = std::expected<T, ConfigError>;

// A TOML value together with what an error about it has to say: its file and its path
// in the document ("vm.red.color", "output[0].mode").
struct Value {
    const toml::node& node;
    std::string path;
    std::string_view file;
};

ConfigError error_at(std::string_view file, const toml::source_region& where, std::string message);
// "PATH: WHAT" at the value's position.
std::unexpected<ConfigError> fail(const Value& value, std::string_view what);
// "PATH: expected WANTED, got ACTUAL" at the value's position.
std::unexpected<ConfigError> expected_but_got(const Value& value, std::string_view wanted);

// How a value shows up after "got": strings quoted, numbers as written, else its kind.
std::string describe(const toml::node& node);

// "keyboard" + "layout" → "keyboard.layout"; keys that are not bare TOML keys get quoted.
std::string join_path(std::string_view parent, std::string_view key);

// A table's entries in the order they appear in the file (toml++ keeps them sorted), so
// the first mistake reported is the first one in the file.
std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table&);

Result<const toml::table*> read_table(const Value& value);
Result<std::string> read_string(const Value& value);
Result<std::string> read_nonempty_string(const Value& value);
Result<bool> read_bool(const Value& value);
Result<std::int64_t> read_integer(const Value& value, std::int64_t min, std::int64_t max);
Result<double> read_number(const Value& value, double min, double max);
Result<Color> read_rgb(const Value& value);
Result<std::string> read_choice(const Value& value, std::span<const std::string_view> choices);
Result<std::uint64_t> read_positive_byte_size(const Value& value);

template <class T> struct Field {
    std::string_view key;
    std::function<Status(const Value&, T&)> read;
};

// Reads every entry of the table `value` with the field of the same key; any other key is
// an error at that key.
template <class T>
Status read_fields(const Value& value, const std::vector<Field<T>>& fields, T& out);

// A field that stores what `reader` returns into `out.*member`.
template <class T, class Member, class Reader>
Field<T> field(std::string_view key, Member T::*member, Reader reader) {
    return {key, [member, reader](const Value& value, T& out) -> Status {
                auto result = reader(value);
                if (!result) return std::unexpected(std::move(result.error()));
                out.*member = static_cast<Member>(std::move(*result));
                return {};
            }};
}

// Reader factories for field().
inline auto string_reader() {
    return [](const Value& v) { return read_string(v); };
}
inline auto nonempty_string_reader() {
    return [](const Value& v) { return read_nonempty_string(v); };
}
inline auto bool_reader() {
    return [](const Value& v) { return read_bool(v); };
}
inline auto rgb_reader() {
    return [](const Value& v) { return read_rgb(v); };
}
inline auto integer_reader(std::int64_t min, std::int64_t max) {
    return [min, max](const Value& v) { return read_integer(v, min, max); };
}
inline auto choice_reader(std::span<const std::string_view> choices) {
    return [choices](const Value& v) { return read_choice(v, choices); };
}

// --- template definitions ---

std::unexpected<ConfigError> unknown_key(const Value& table, const toml::key& key,
                                         const toml::node& node,
                                         const std::vector<std::string_view>& known);

template <class T>
Status read_fields(const Value& value, const std::vector<Field<T>>& fields, T& out) {
    auto table = read_table(value);
    if (!table) return std::unexpected(std::move(table.error()));
    for (auto [key, node] : in_file_order(**table)) {
        auto field = std::ranges::find(fields, key->str(), &Field<T>::key);
        if (field == fields.end()) {
            std::vector<std::string_view> known;
            for (const auto& f : fields)
                known.push_back(f.key);
            return unknown_key(value, *key, *node, known);
        }
        if (auto status =
                field->read(Value{*node, join_path(value.path, key->str()), value.file}, out);
            !status)
            return status;
    }
    return {};
}

} // namespace spectrum::config::detail
