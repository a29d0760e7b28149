// Which clipboard transfers between VMs the user allows: rules "source → target" with
// wildcards, read top to bottom, the first match deciding. A transfer no rule names is
// allowed: the keys on both ends are already the user's explicit consent.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace spectrum::policy {

// The host's clipboard takes part under this name ("host" can never be a VM's name).
inline constexpr std::string_view kHostDomain = "host";

enum class TransferDecision {
    Allow,   // paste at once
    Deny,    // refuse, and say so
    Confirm, // ask the user on a compositor prompt first
};

struct TransferRule {
    std::string from; // pattern for the source VM ("host" for the host)
    std::string to;   // pattern for the target VM
    TransferDecision decision = TransferDecision::Allow;
};

// Shell-style match of a whole name: '*' any run of characters (also none), '?' exactly one.
// Nothing else is special; VM names have no characters that would need escaping.
bool glob_match(std::string_view pattern, std::string_view name);

// The decision of the first rule whose patterns match both names, else Allow.
TransferDecision decide_transfer(std::span<const TransferRule> rules, std::string_view from,
                                 std::string_view to);

// "allow", "deny", "confirm".
std::string_view decision_name(TransferDecision decision);

} // namespace spectrum::policy
