#include "config.hpp"
#include "keys.hpp"

#include <gtest/gtest.h>
#include <xkbcommon/xkbcommon-keysyms.h>

namespace spectrum::config {
namespace {

TEST(KeyCombo, ParsesModifiersAndKey) {
    EXPECT_EQ(KeyCombo::parse("Super+Shift+Return"),
              (KeyCombo{ModSuper | ModShift, XKB_KEY_Return}));
    EXPECT_EQ(KeyCombo::parse("ctrl+alt+t"), (KeyCombo{ModCtrl | ModAlt, XKB_KEY_t}));
    EXPECT_EQ(KeyCombo::parse("Alt+Tab"), (KeyCombo{ModAlt, XKB_KEY_Tab}));
}

TEST(KeyCombo, ModifierAliases) {
    EXPECT_EQ(KeyCombo::parse("Control+Mod1+Mod4+x"),
              (KeyCombo{ModCtrl | ModAlt | ModSuper, XKB_KEY_x}));
    EXPECT_EQ(KeyCombo::parse("Logo+x"), KeyCombo::parse("SUPER+x"));
}

TEST(KeyCombo, KeyIsCaseInsensitiveAndStoredLowerCase) {
    EXPECT_EQ(KeyCombo::parse("Super+Q"), (KeyCombo{ModSuper, XKB_KEY_q}));
    EXPECT_EQ(KeyCombo::parse("Super+q"), KeyCombo::parse("Super+Q"));
    EXPECT_EQ(KeyCombo::parse("Super+return"), (KeyCombo{ModSuper, XKB_KEY_Return}));
    EXPECT_EQ(KeyCombo::parse("Super+f1"), (KeyCombo{ModSuper, XKB_KEY_F1}));
}

TEST(KeyCombo, PunctuationByCharacterOrName) {
    EXPECT_EQ(KeyCombo::parse("Super+,"), (KeyCombo{ModSuper, XKB_KEY_comma}));
    EXPECT_EQ(KeyCombo::parse("Super+comma"), (KeyCombo{ModSuper, XKB_KEY_comma}));
    EXPECT_EQ(KeyCombo::parse("Super+1"), (KeyCombo{ModSuper, XKB_KEY_1}));
}

TEST(KeyCombo, SpacesAroundPartsAreIgnored) {
    EXPECT_EQ(KeyCombo::parse(" Super + Return "), (KeyCombo{ModSuper, XKB_KEY_Return}));
}

TEST(KeyCombo, KeyWithoutModifiersParses) {
    // Refusing modifier-less bindings is the [keys] section's rule, not the syntax's.
    EXPECT_EQ(KeyCombo::parse("Print"), (KeyCombo{0, XKB_KEY_Print}));
}

TEST(KeyCombo, RejectsMalformed) {
    for (auto text : {"", "+", "Super+", "+a", "Super++a", "Hyper+a", "Super+NoSuchKey",
                      "Super+Shift", "Super+Super+a", "Logo+Mod4+a", "Super+ab+c"})
        EXPECT_FALSE(KeyCombo::parse(text)) << text;
}

TEST(Action, Names) {
    EXPECT_EQ(action_name(Action::Close), "close");
    EXPECT_EQ(action_name(Action::FocusNext), "focus-next");
    EXPECT_EQ(action_name(Action::FocusPrev), "focus-prev");
    EXPECT_EQ(action_name(Action::Terminal), "terminal");
    EXPECT_EQ(action_name(Action::Quit), "quit");
    EXPECT_EQ(action_name(Action::Maximize), "maximize");
    EXPECT_EQ(action_name(Action::Fullscreen), "fullscreen");
    EXPECT_EQ(action_name(Action::ClipboardCopy), "clipboard-copy");
    EXPECT_EQ(action_name(Action::ClipboardPaste), "clipboard-paste");
    EXPECT_EQ(action_name(Action::Exec), "exec");
}

TEST(Action, EveryNameParsesBackToItsAction) {
    for (auto action :
         {Action::Close, Action::FocusNext, Action::FocusPrev, Action::Terminal, Action::Quit,
          Action::Maximize, Action::Fullscreen, Action::Minimize, Action::ClipboardCopy,
          Action::ClipboardPaste}) {
        auto parsed = detail::parse_action(action_name(action));
        ASSERT_TRUE(parsed) << action_name(action);
        EXPECT_EQ(parsed->action, action);
        EXPECT_EQ(parsed->command, "");
    }
}

TEST(Action, ExecKeepsTheCommandLine) {
    auto parsed = detail::parse_action("exec  fuzzel --dmenu ");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->action, Action::Exec);
    EXPECT_EQ(parsed->command, "fuzzel --dmenu");
}

TEST(Action, RejectsUnknownOrMisusedArguments) {
    for (auto text : {"", "launch", "Close", "exec", "exec   ", "close now", "execfoo", "none"})
        EXPECT_FALSE(detail::parse_action(text)) << text;
}

} // namespace
} // namespace spectrum::config
