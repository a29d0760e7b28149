// Shared by the config tests: parse a snippet and get the Config, or the one error line.
#pragma once

#include "config.hpp"

#include <gtest/gtest.h>
#include <string>
#include <string_view>

namespace spectrum::config::testing {

inline Config parse_ok(std::string_view text) {
    auto result = parse(text, "t.toml");
    if (!result) {
        ADD_FAILURE() << "unexpected error: " << result.error().format();
        return Config{};
    }
    return *result;
}

// The error as the user sees it: "t.toml:LINE:COL: message".
inline std::string error_of(std::string_view text) {
    auto result = parse(text, "t.toml");
    if (result) {
        ADD_FAILURE() << "parsed without error:\n" << text;
        return {};
    }
    return result.error().format();
}

} // namespace spectrum::config::testing
