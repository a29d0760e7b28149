// Small string helpers shared by the parser's files.
#pragma once

#include <string>
#include <string_view>

namespace spectrum::config::detail {

std::string_view trim(std::string_view text);
bool equals_ignoring_case(std::string_view a, std::string_view b);

// `text` in double quotes, escaped as TOML would, cut short if long: errors stay one line.
std::string in_quotes(std::string_view text);

} // namespace spectrum::config::detail
