#include "util/shell_split.hpp"

namespace postfach::util {

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_shell_operator(char c) {
    switch (c) {
    case '|':
    case ';':
    case '&':
    case '<':
    case '>':
    case '`':
    case '$':
    case '(':
    case ')':
        return true;
    default:
        return false;
    }
}

} // namespace

shell_split_result shell_split(std::string_view line) {
    shell_split_result result;
    std::string word;
    bool in_word = false;
    auto fail = [&](std::size_t at, std::string message) {
        result.words.clear();
        result.error = std::move(message);
        result.error_offset = at;
        return result;
    };

    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (is_blank(c)) {
            if (in_word) {
                result.words.push_back(std::move(word));
                word.clear();
                in_word = false;
            }
            continue;
        }
        if (c == '\'') {
            const auto end = line.find('\'', i + 1);
            if (end == std::string_view::npos)
                return fail(i, "unterminated single quote");
            word.append(line.substr(i + 1, end - i - 1));
            in_word = true;
            i = end;
            continue;
        }
        if (c == '"') {
            std::size_t j = i + 1;
            for (; j < line.size() && line[j] != '"'; ++j) {
                if (line[j] == '\\' && j + 1 < line.size() &&
                    (line[j + 1] == '"' || line[j + 1] == '\\' || line[j + 1] == '$' ||
                     line[j + 1] == '`')) {
                    ++j;
                } else if (line[j] == '$' || line[j] == '`') {
                    return fail(j, std::string("'") + line[j] +
                                       "' inside double quotes: postfach runs commands without a "
                                       "shell, so nothing is expanded; use single quotes for a "
                                       "literal, or run `sh -c '...'` explicitly");
                }
                word.push_back(line[j]);
            }
            if (j >= line.size())
                return fail(i, "unterminated double quote");
            in_word = true;
            i = j;
            continue;
        }
        if (c == '\\') {
            if (i + 1 >= line.size())
                return fail(i, "trailing backslash");
            word.push_back(line[++i]);
            in_word = true;
            continue;
        }
        if (is_shell_operator(c)) {
            return fail(i, std::string("unquoted '") + c +
                               "': postfach runs commands without a shell; quote it to pass it as "
                               "an argument, or run `sh -c '...'` explicitly for pipes, "
                               "redirections or variables");
        }
        if (c == '~' && !in_word) {
            return fail(i, "'~' is not expanded in commands (there is no shell); write the full "
                           "path");
        }
        word.push_back(c);
        in_word = true;
    }
    if (in_word)
        result.words.push_back(std::move(word));
    if (result.words.empty())
        return fail(0, "empty command");
    return result;
}

} // namespace postfach::util
