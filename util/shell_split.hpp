#pragma once
// Splits a command line the way a POSIX shell splits words, without running a shell:
// blanks separate words, '...' is literal, "..." allows \" \\ \$ \` escapes, a backslash
// outside quotes escapes the next character. postfach then execs argv[0] directly.
// Unquoted shell syntax (| ; & < > ` $ ( ) and a leading ~) is rejected with a message that
// explains why, since without a shell it would silently become a literal argument.

#include <string>
#include <string_view>
#include <vector>

namespace postfach::util {

struct shell_split_result {
    std::vector<std::string> words;
    std::string error; // empty on success; otherwise what is wrong and what to do
    std::size_t error_offset = 0;

    [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

shell_split_result shell_split(std::string_view command_line);

} // namespace postfach::util
