#include "maildir/file_name.hpp"
#include "maildir/message_flags.hpp"
#include "maildir/unique_name.hpp"

#include <gtest/gtest.h>
#include <set>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace postfach::maildir {
namespace {

TEST(message_flags, letters_are_sorted_ascii) {
    flag_set flags{flag::seen,     flag::draft,     flag::deleted,
                   flag::answered, flag::forwarded, flag::flagged};
    EXPECT_EQ(flags.letters(), "DFPRST");
    EXPECT_EQ((flag_set{flag::seen, flag::flagged}).letters(), "FS");
    EXPECT_EQ(flag_set{}.letters(), "");
}

TEST(message_flags, imap_names_map_both_ways) {
    EXPECT_EQ(imap_name(flag::draft), "\\Draft");
    EXPECT_EQ(imap_name(flag::flagged), "\\Flagged");
    EXPECT_EQ(imap_name(flag::forwarded), "$Forwarded");
    EXPECT_EQ(imap_name(flag::answered), "\\Answered");
    EXPECT_EQ(imap_name(flag::seen), "\\Seen");
    EXPECT_EQ(imap_name(flag::deleted), "\\Deleted");
    EXPECT_EQ(flag_from_imap_name("\\seen"), flag::seen);
    EXPECT_EQ(flag_from_imap_name("$forwarded"), flag::forwarded);
    EXPECT_EQ(flag_from_imap_name("\\Recent"), std::nullopt);
    EXPECT_EQ(flag_from_letter('T'), flag::deleted);
    EXPECT_EQ(flag_from_letter('a'), std::nullopt);
}

TEST(file_name, parses_base_and_flags) {
    auto n = file_name::parse("1700000000.M1P2Q3.host:2,RS");
    EXPECT_EQ(n.base, "1700000000.M1P2Q3.host");
    EXPECT_TRUE(n.flags.has(flag::seen));
    EXPECT_TRUE(n.flags.has(flag::answered));
    EXPECT_FALSE(n.flags.has(flag::flagged));
    EXPECT_EQ(n.compose(), "1700000000.M1P2Q3.host:2,RS");
}

TEST(file_name, name_without_info_has_no_flags) {
    auto n = file_name::parse("foreign-name with spaces");
    EXPECT_EQ(n.base, "foreign-name with spaces");
    EXPECT_TRUE(n.flags.empty());
    EXPECT_FALSE(n.has_info);
    EXPECT_EQ(n.compose_for_new(), "foreign-name with spaces");
    EXPECT_EQ(n.compose(), "foreign-name with spaces:2,");
}

TEST(file_name, keeps_keywords_and_rest_when_flags_change) {
    auto n = file_name::parse("base,S=1234,W=1300:2,Sab,extra,stuff");
    EXPECT_EQ(n.base, "base,S=1234,W=1300");
    EXPECT_EQ(n.other_letters, "ab");
    EXPECT_EQ(n.rest, "extra,stuff");
    n.flags.set(flag::flagged);
    n.flags.set(flag::deleted);
    n.flags.clear(flag::seen);
    EXPECT_EQ(n.compose(), "base,S=1234,W=1300:2,FTab,extra,stuff");
}

TEST(file_name, empty_rest_after_comma_is_kept) {
    auto n = file_name::parse("b:2,S,");
    EXPECT_TRUE(n.has_rest);
    EXPECT_EQ(n.compose(), "b:2,S,");
}

TEST(file_name, unsorted_letters_are_sorted_on_compose) {
    EXPECT_EQ(file_name::parse("b:2,SRaF").compose(), "b:2,FRSa");
}

TEST(file_name, foreign_info_is_kept_until_flags_are_set) {
    auto n = file_name::parse("b:1,experimental");
    EXPECT_TRUE(n.flags.empty());
    EXPECT_EQ(n.compose_for_new(), "b:1,experimental");
    n.flags.set(flag::seen);
    EXPECT_EQ(n.compose(), "b:2,S");
}

TEST(file_name, message_file_name_rules) {
    EXPECT_TRUE(is_message_file_name("1.2.host"));
    EXPECT_TRUE(is_message_file_name("anything at all:2,S"));
    EXPECT_FALSE(is_message_file_name(".hidden"));
    EXPECT_FALSE(is_message_file_name(""));
    EXPECT_FALSE(is_message_file_name("a/b"));
}

TEST(unique_name, follows_the_maildir_spec) {
    EXPECT_EQ(format_unique_name(1700000000, 42, 1234, 7, escape_host_name("mail:box/one")),
              "1700000000.M42P1234Q7.mail\\072box\\057one");
}

TEST(unique_name, generator_never_repeats_and_has_no_separators) {
    unique_name_generator gen;
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        auto name = gen.next();
        EXPECT_EQ(name.find('/'), std::string::npos);
        EXPECT_EQ(name.find(':'), std::string::npos);
        EXPECT_NE(name.front(), '.');
        EXPECT_TRUE(seen.insert(name).second) << name;
    }
}

// The process id is asked once, but a forked child names its files with its own.
TEST(unique_name, names_carry_the_pid_of_the_process_also_after_fork) {
    unique_name_generator gen;
    const std::string own = "P" + std::to_string(::getpid()) + "Q";
    EXPECT_NE(gen.next().find(own), std::string::npos);
    int fds[2] = {-1, -1};
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        const std::string name = gen.next();
        const bool ok =
            ::write(fds[1], name.data(), name.size()) == static_cast<ssize_t>(name.size());
        ::_exit(ok ? 0 : 1);
    }
    ::close(fds[1]);
    char buffer[512] = {};
    const ssize_t n = ::read(fds[0], buffer, sizeof buffer - 1);
    ::close(fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_GT(n, 0);
    const std::string in_child(buffer, static_cast<std::size_t>(n));
    EXPECT_NE(in_child.find("P" + std::to_string(child) + "Q"), std::string::npos) << in_child;
    EXPECT_NE(gen.next().find(own), std::string::npos) << "the parent keeps its own";
}

} // namespace
} // namespace postfach::maildir
