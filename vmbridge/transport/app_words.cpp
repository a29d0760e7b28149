#include "app_words.hpp"

#include <format>
#include <utility>

namespace spectrum::vmbridge::transport {

namespace {

constexpr std::string_view kOperators = "|&;<>()$`";

bool blank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

} // namespace

std::expected<std::vector<std::string>, std::string> split_app(std::string_view app) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    for (std::size_t i = 0; i < app.size(); ++i) {
        const char c = app[i];
        if (blank(c)) {
            if (in_word) words.push_back(std::exchange(word, {}));
            in_word = false;
            continue;
        }
        in_word = true;
        if (c == '\'') {
            const auto end = app.find('\'', i + 1);
            if (end == std::string_view::npos)
                return std::unexpected(std::format("app has an unterminated ' at character {}", i + 1));
            word.append(app.substr(i + 1, end - i - 1));
            i = end;
        } else if (c == '"') {
            std::size_t j = i + 1;
            for (; j < app.size() && app[j] != '"'; ++j) {
                if (app[j] == '\\' && j + 1 < app.size() &&
                    std::string_view("\"\\$`\n").find(app[j + 1]) != std::string_view::npos) {
                    if (app[j + 1] != '\n') word.push_back(app[j + 1]);
                    ++j;
                } else if (app[j] == '$' || app[j] == '`') {
                    return std::unexpected(std::format(
                        "app has {} inside double quotes at character {}, which only a shell expands; "
                        "escape it as \\{} or use single quotes",
                        app[j], j + 1, app[j]));
                } else {
                    word.push_back(app[j]);
                }
            }
            if (j >= app.size())
                return std::unexpected(std::format("app has an unterminated \" at character {}", i + 1));
            i = j;
        } else if (c == '\\') {
            if (i + 1 >= app.size()) return std::unexpected("app ends in a lone backslash");
            if (app[i + 1] != '\n') word.push_back(app[i + 1]);
            ++i;
        } else if (kOperators.find(c) != std::string_view::npos) {
            return std::unexpected(std::format(
                "app is not run by a shell, so '{}' (character {}) would reach the program as a "
                "word; quote it, or write sh -c '…' for a shell",
                c, i + 1));
        } else {
            word.push_back(c);
        }
    }
    if (in_word) words.push_back(std::move(word));
    if (words.empty()) return std::unexpected("app has no words; set the command the guest runs");
    return words;
}

std::string shell_join(const std::vector<std::string>& words) {
    std::string line;
    for (const auto& word : words) {
        if (!line.empty()) line.push_back(' ');
        const bool plain = !word.empty() && word.find_first_not_of(
                                                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                "0123456789-_./:,+@%") == std::string::npos;
        if (plain) {
            line += word;
            continue;
        }
        line.push_back('\'');
        for (char c : word) {
            if (c == '\'') line += "'\\''";
            else line.push_back(c);
        }
        line.push_back('\'');
    }
    return line;
}

} // namespace spectrum::vmbridge::transport
