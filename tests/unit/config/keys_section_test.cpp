// [keys]: merging over the default bindings.
#include "keys.hpp"
#include "parse_helpers.hpp"

#include <algorithm>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <xkbcommon/xkbcommon-keysyms.h>

namespace spectrum::config {
namespace {

using testing::error_of;
using testing::parse_ok;
using ::testing::StartsWith;

const Binding* find(const Config& config, std::string_view combo) {
    auto wanted = KeyCombo::parse(combo);
    if (!wanted) {
        ADD_FAILURE() << "not a combination: " << combo;
        return nullptr;
    }
    auto it = std::ranges::find(config.bindings, *wanted, &Binding::combo);
    return it == config.bindings.end() ? nullptr : &*it;
}

TEST(DefaultBindings, AreTheDocumentedOnes) {
    Config config = parse_ok("");
    ASSERT_EQ(config.bindings.size(), 11u);
    std::pair<std::string_view, Action> expected[] = {
        {"Super+Return", Action::Terminal},       {"Super+Shift+Q", Action::Close},
        {"Alt+Tab", Action::FocusNext},           {"Alt+Shift+Tab", Action::FocusPrev},
        {"Super+Shift+E", Action::Quit},          {"Super+M", Action::Maximize},
        {"Super+F", Action::Fullscreen},          {"Ctrl+Shift+C", Action::ClipboardCopy},
        {"Ctrl+Shift+V", Action::ClipboardPaste}, {"Super+H", Action::Minimize},
    };
    for (auto [combo, action] : expected) {
        const Binding* binding = find(config, combo);
        ASSERT_NE(binding, nullptr) << combo;
        EXPECT_EQ(binding->action, action) << combo;
    }
    EXPECT_EQ(find(config, "Ctrl+Shift+C")->combo, (KeyCombo{ModCtrl | ModShift, XKB_KEY_c}));
    // The launcher: no shell text from the config reaches it.
    const Binding* launcher = find(config, "Super+D");
    ASSERT_NE(launcher, nullptr);
    EXPECT_EQ(launcher->action, Action::Exec);
    EXPECT_EQ(launcher->command, "spectrumctl launch --menu");
}

TEST(Keys, AddsExec) {
    Config config = parse_ok("[keys]\n\"Super+t\" = \"exec fuzzel --dmenu\"");
    EXPECT_EQ(config.bindings.size(), parse_ok("").bindings.size() + 1);
    const Binding* binding = find(config, "Super+t");
    ASSERT_NE(binding, nullptr);
    EXPECT_EQ(binding->action, Action::Exec);
    EXPECT_EQ(binding->command, "fuzzel --dmenu");
}

TEST(Keys, ReplacesADefaultInPlace) {
    Config defaults = parse_ok("");
    Config config = parse_ok("[keys]\n\"super+RETURN\" = \"exec foot --server\"");
    ASSERT_EQ(config.bindings.size(), defaults.bindings.size());
    EXPECT_EQ(config.bindings[0].combo, defaults.bindings[0].combo);
    EXPECT_EQ(config.bindings[0].action, Action::Exec);
    EXPECT_EQ(config.bindings[0].command, "foot --server");
}

TEST(Keys, NoneRemovesADefault) {
    Config config = parse_ok("[keys]\n\"Alt+Tab\" = \"none\"");
    EXPECT_EQ(config.bindings.size(), parse_ok("").bindings.size() - 1);
    EXPECT_EQ(find(config, "Alt+Tab"), nullptr);
    EXPECT_NE(find(config, "Alt+Shift+Tab"), nullptr);
}

TEST(Keys, NoneForAnUnboundCombinationChangesNothing) {
    EXPECT_EQ(parse_ok("[keys]\n\"Super+z\" = \"none\"").bindings, parse_ok("").bindings);
}

TEST(Keys, RemoveThenRebindElsewhere) {
    Config config = parse_ok(R"([keys]
"Ctrl+Shift+C" = "none"
"Super+c" = "clipboard-copy"
)");
    EXPECT_EQ(find(config, "Ctrl+Shift+C"), nullptr);
    ASSERT_NE(find(config, "Super+c"), nullptr);
    EXPECT_EQ(find(config, "Super+c")->action, Action::ClipboardCopy);
}

TEST(Keys, BadCombination) {
    EXPECT_EQ(error_of("[keys]\n\"Super+Foo\" = \"close\""),
              "t.toml:2:1: keys.\"Super+Foo\": expected a key combination like "
              "\"Super+Shift+Return\" (modifiers Shift, Ctrl, Alt, Super and an XKB key name)");
}

TEST(Keys, CombinationNeedsAModifierOtherThanShift) {
    EXPECT_EQ(error_of("[keys]\n\"Shift+a\" = \"close\""),
              "t.toml:2:1: keys.\"Shift+a\": a binding needs Ctrl, Alt or Super, or it would take "
              "the key away from typing");
    EXPECT_THAT(error_of("[keys]\nPrint = \"exec grim\""),
                StartsWith("t.toml:2:1: keys.Print: a binding needs Ctrl, Alt or Super"));
}

TEST(Keys, UnknownAction) {
    EXPECT_EQ(error_of("[keys]\n\"Super+x\" = \"launch\""),
              "t.toml:2:13: keys.\"Super+x\": expected one of close, focus-next, focus-prev, "
              "terminal, quit, maximize, fullscreen, minimize, clipboard-copy, clipboard-paste, "
              "\"exec COMMAND\" or none, got \"launch\"");
    EXPECT_THAT(error_of("[keys]\n\"Super+x\" = \"exec\""),
                StartsWith("t.toml:2:13: keys.\"Super+x\": expected one of"));
    EXPECT_THAT(error_of("[keys]\n\"Super+x\" = \"close now\""),
                StartsWith("t.toml:2:13: keys.\"Super+x\": expected one of"));
    EXPECT_EQ(error_of("[keys]\n\"Super+x\" = 1"),
              "t.toml:2:13: keys.\"Super+x\": expected a string, got 1");
}

TEST(Keys, SameCombinationTwice) {
    EXPECT_EQ(error_of("[keys]\n\"Super+x\" = \"close\"\n\"super+X\" = \"quit\""),
              "t.toml:3:1: keys.\"super+X\": the same keys as \"Super+x\" on line 2");
}

TEST(Keys, MustBeATable) {
    EXPECT_EQ(error_of("keys = 1"), "t.toml:1:8: keys: expected a table, got 1");
}

} // namespace
} // namespace spectrum::config
