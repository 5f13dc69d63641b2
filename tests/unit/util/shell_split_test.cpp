#include "util/shell_split.hpp"

#include <gtest/gtest.h>

namespace {

using postfach::util::shell_split;
using words = std::vector<std::string>;

TEST(shell_split, splits_like_a_shell) {
    EXPECT_EQ(shell_split("pass show mail/work").words, (words{"pass", "show", "mail/work"}));
    EXPECT_EQ(shell_split("  a\t b  ").words, (words{"a", "b"}));
    EXPECT_EQ(shell_split("cat '/my dir/pw file'").words, (words{"cat", "/my dir/pw file"}));
    EXPECT_EQ(shell_split(R"(echo "a \"b\" \\ c")").words, (words{"echo", R"(a "b" \ c)"}));
    EXPECT_EQ(shell_split(R"(a\ b c)").words, (words{"a b", "c"}));
    EXPECT_EQ(shell_split("x'y'\"z\"").words, (words{"xyz"}));
    EXPECT_EQ(shell_split("a '' b").words, (words{"a", "", "b"}));
    EXPECT_EQ(shell_split("sh -c 'gpg -d f | head -1'").words,
              (words{"sh", "-c", "gpg -d f | head -1"}));
    EXPECT_EQ(shell_split("a~b").words, (words{"a~b"}));
    EXPECT_EQ(shell_split("'$HOME'").words, (words{"$HOME"}));
}

TEST(shell_split, refuses_shell_syntax_it_would_not_honour) {
    for (const char* line : {"a | b", "a; b", "a && b", "a > f", "a < f", "echo $HOME", "echo `id`",
                             "echo $(id)", "(a)", "\"$HOME\""}) {
        const auto r = shell_split(line);
        EXPECT_FALSE(r.ok()) << line;
        EXPECT_NE(r.error.find("without a shell"), std::string::npos) << line << ": " << r.error;
    }
    EXPECT_NE(shell_split("~/bin/pw").error.find("'~' is not expanded"), std::string::npos);
}

TEST(shell_split, reports_broken_quoting_with_offset) {
    auto r = shell_split("a 'b");
    EXPECT_EQ(r.error, "unterminated single quote");
    EXPECT_EQ(r.error_offset, 2u);
    EXPECT_EQ(shell_split("a \"b").error, "unterminated double quote");
    EXPECT_EQ(shell_split("a\\").error, "trailing backslash");
    EXPECT_EQ(shell_split("   ").error, "empty command");
}

} // namespace
