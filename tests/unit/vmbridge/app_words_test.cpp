// `app` is split into words as a shell would, but never run by one.
#include "app_words.hpp"

#include <gtest/gtest.h>

namespace spectrum::vmbridge::transport {
namespace {

using Words = std::vector<std::string>;

Words split(std::string_view app) {
    auto words = split_app(app);
    EXPECT_TRUE(words) << app << ": " << words.error();
    return words ? *words : Words{};
}

std::string error_of(std::string_view app) {
    auto words = split_app(app);
    EXPECT_FALSE(words) << app;
    return words ? "" : words.error();
}

TEST(AppWords, SplitsLikeAShell) {
    EXPECT_EQ(split("foot"), (Words{"foot"}));
    EXPECT_EQ(split("  firefox-esr   --new-window\thttp://10.0.2.2:8000/  "),
              (Words{"firefox-esr", "--new-window", "http://10.0.2.2:8000/"}));
    EXPECT_EQ(split("sh -c 'echo \"$HOME\" > ~/x; exit'"), (Words{"sh", "-c", "echo \"$HOME\" > ~/x; exit"}));
    EXPECT_EQ(split("a\" b \"c"), (Words{"a b c"}));
    EXPECT_EQ(split("\"say \\\"hi\\\" \\\\ \\$x\""), (Words{"say \"hi\" \\ $x"}));
    EXPECT_EQ(split("one\\ word 'x'\"y\"z"), (Words{"one word", "xyz"}));
    EXPECT_EQ(split("'' \"\""), (Words{"", ""}));
    EXPECT_EQ(split("gtk4-demo --run=popover"), (Words{"gtk4-demo", "--run=popover"}));
}

TEST(AppWords, ShellSyntaxIsRefusedNotPassedOn) {
    for (const char* app : {"foot | tee", "a; b", "a && b", "a > f", "a < f", "$(x)", "`x`", "a $HOME",
                            "(sub)"})
        EXPECT_NE(error_of(app).find("not run by a shell"), std::string::npos) << app;
    EXPECT_NE(error_of("echo \"$HOME\"").find("only a shell expands"), std::string::npos);
    EXPECT_NE(error_of("sh -c 'oops").find("unterminated '"), std::string::npos);
    EXPECT_NE(error_of("say \"oops").find("unterminated \""), std::string::npos);
    EXPECT_NE(error_of("trailing\\").find("lone backslash"), std::string::npos);
    EXPECT_NE(error_of("  \t ").find("no words"), std::string::npos);
    EXPECT_NE(error_of("").find("no words"), std::string::npos);
}

TEST(AppWords, ShellJoinRoundTrips) {
    for (const Words& words : {Words{"weston-simple-shm"}, Words{"sh", "-c", "echo 'hi' > /state/x; exec foot"},
                               Words{"a=b", "~", "", "it's", "*", "new\nline"}}) {
        const auto line = shell_join(words);
        EXPECT_EQ(split(line), words) << line;
    }
    EXPECT_EQ(shell_join({"weston-simple-shm", "--flag"}), "weston-simple-shm --flag");
    EXPECT_EQ(shell_join({"A=b"}), "'A=b'") << "never an assignment";
}

} // namespace
} // namespace spectrum::vmbridge::transport
