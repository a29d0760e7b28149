#include "clipboard_policy.hpp"

#include <gtest/gtest.h>
#include <vector>

namespace spectrum::policy {
namespace {

using D = TransferDecision;

TEST(ClipboardGlob, LiteralNamesMatchOnlyThemselves) {
    EXPECT_TRUE(glob_match("red", "red"));
    EXPECT_FALSE(glob_match("red", "reds"));
    EXPECT_FALSE(glob_match("red", "re"));
    EXPECT_FALSE(glob_match("red", ""));
    EXPECT_TRUE(glob_match("", ""));
}

TEST(ClipboardGlob, StarMatchesAnyRunIncludingNone) {
    EXPECT_TRUE(glob_match("*", ""));
    EXPECT_TRUE(glob_match("*", "anything-at-all"));
    EXPECT_TRUE(glob_match("work-*", "work-"));
    EXPECT_TRUE(glob_match("work-*", "work-mail"));
    EXPECT_FALSE(glob_match("work-*", "personal-mail"));
    EXPECT_TRUE(glob_match("*-mail", "work-mail"));
    EXPECT_TRUE(glob_match("a*b*c", "aXXbYYc"));
    EXPECT_FALSE(glob_match("a*b*c", "aXXbYY"));
    EXPECT_TRUE(glob_match("**", "x"));
}

TEST(ClipboardGlob, QuestionMarkMatchesExactlyOne) {
    EXPECT_TRUE(glob_match("vm?", "vm1"));
    EXPECT_FALSE(glob_match("vm?", "vm"));
    EXPECT_FALSE(glob_match("vm?", "vm12"));
    EXPECT_TRUE(glob_match("?*", "x"));
    EXPECT_FALSE(glob_match("?*", ""));
}

TEST(ClipboardGlob, BacktracksPastAFalseStart) {
    // The first "ab" after '*' is not the one that lets the rest match.
    EXPECT_TRUE(glob_match("*abc", "ababc"));
    EXPECT_TRUE(glob_match("*a*a*a", "aaaa"));
    EXPECT_FALSE(glob_match("*a*a*a*a*a", "aaaa"));
}

TEST(ClipboardPolicy, NoRulesAllows) {
    EXPECT_EQ(decide_transfer({}, "red", "blue"), D::Allow);
}

TEST(ClipboardPolicy, FirstMatchingRuleDecides) {
    const std::vector<TransferRule> rules{
        {"red", "blue", D::Allow},
        {"red", "*", D::Deny},
        {"*", "bank", D::Confirm},
    };
    EXPECT_EQ(decide_transfer(rules, "red", "blue"), D::Allow);
    EXPECT_EQ(decide_transfer(rules, "red", "green"), D::Deny);
    EXPECT_EQ(decide_transfer(rules, "red", "bank"), D::Deny); // rule 2 comes first
    EXPECT_EQ(decide_transfer(rules, "green", "bank"), D::Confirm);
    EXPECT_EQ(decide_transfer(rules, "green", "blue"), D::Allow); // no rule: allowed
}

TEST(ClipboardPolicy, BothEndsMustMatch) {
    const std::vector<TransferRule> rules{{"red", "blue", D::Deny}};
    EXPECT_EQ(decide_transfer(rules, "blue", "red"), D::Allow); // direction matters
    EXPECT_EQ(decide_transfer(rules, "red", "blue"), D::Deny);
}

TEST(ClipboardPolicy, HostIsAnEndLikeAnyOther) {
    const std::vector<TransferRule> rules{{"*", std::string(kHostDomain), D::Deny}};
    EXPECT_EQ(decide_transfer(rules, "red", "host"), D::Deny);
    EXPECT_EQ(decide_transfer(rules, "host", "red"), D::Allow);
}

TEST(ClipboardPolicy, DecisionNames) {
    EXPECT_EQ(decision_name(D::Allow), "allow");
    EXPECT_EQ(decision_name(D::Deny), "deny");
    EXPECT_EQ(decision_name(D::Confirm), "confirm");
}

} // namespace
} // namespace spectrum::policy
