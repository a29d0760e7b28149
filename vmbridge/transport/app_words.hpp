// A VM's `app` is a command line, split into words the way a POSIX shell splits a simple
// command — but no shell ever runs it: the words become the app's argv in the guest.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace spectrum::vmbridge::transport {

// Single quotes keep everything literally; double quotes keep everything but \" \\ \$ \`
// and a backslash-newline; outside quotes a backslash keeps the next character. Refused,
// with one line saying why: an unterminated quote, no words at all, and the characters a
// shell would treat as operators or expansions outside quotes (| & ; < > ( ) $ `), since
// a user who writes them expects a shell (write sh -c '…' for that).
std::expected<std::vector<std::string>, std::string> split_app(std::string_view app);

// The words as one line a POSIX shell splits back into exactly these words (each quoted
// only when it must be): for guests whose init runs the app with `sh -c`.
std::string shell_join(const std::vector<std::string>& words);

} // namespace spectrum::vmbridge::transport
