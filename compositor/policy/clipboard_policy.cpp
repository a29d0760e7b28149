#include "clipboard_policy.hpp"

namespace spectrum::policy {

bool glob_match(std::string_view pattern, std::string_view name) {
    // Iterative matching with one backtrack point (the last '*'): linear in practice and
    // never recursive, whatever a config file puts in a pattern.
    std::size_t p = 0, n = 0;
    std::size_t star = std::string_view::npos, resume = 0;
    while (n < name.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
            ++p;
            ++n;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = n;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            n = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

TransferDecision decide_transfer(std::span<const TransferRule> rules, std::string_view from,
                                 std::string_view to) {
    for (const auto& rule : rules)
        if (glob_match(rule.from, from) && glob_match(rule.to, to)) return rule.decision;
    return TransferDecision::Allow;
}

std::string_view decision_name(TransferDecision decision) {
    switch (decision) {
    case TransferDecision::Allow:
        return "allow";
    case TransferDecision::Deny:
        return "deny";
    case TransferDecision::Confirm:
        return "confirm";
    }
    return "allow";
}

} // namespace spectrum::policy
