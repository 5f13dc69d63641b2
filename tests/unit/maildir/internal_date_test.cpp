#include "maildir/internal_date.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <fstream>
#include <gtest/gtest.h>

namespace postfach::maildir {
namespace {

TEST(internal_date, parses_rfc5322_dates) {
    EXPECT_EQ(parse_rfc5322_date("Thu, 26 Nov 2026 08:00:00 +0000"), 1795680000);
    EXPECT_EQ(parse_rfc5322_date(" Tue, 1 Jul 2003 10:52:37 +0200"), 1057049557);
    EXPECT_EQ(parse_rfc5322_date("1 Jul 2003 10:52:37 +0200"), 1057049557); // no weekday
    EXPECT_EQ(parse_rfc5322_date("Tue, 1 Jul 2003 08:52:37 GMT"), 1057049557);
    EXPECT_EQ(parse_rfc5322_date("Tue, 1 Jul 03 04:52:37 EDT"), 1057049557); // obsolete forms
    EXPECT_EQ(parse_rfc5322_date("Tue, 1 Jul 2003 08:52 +0000 (UTC)"), 1057049520);
    EXPECT_EQ(parse_rfc5322_date("Thu, 01 Jan 1970 00:00:00 -0100"), 3600);
}

TEST(internal_date, rejects_what_is_not_a_date) {
    for (const char* bad :
         {"", "yesterday", "Tue, 1 Foo 2003 10:52:37 +0200", "Tue, 32 Jul 2003 10:52:37 +0200",
          "Tue, 1 Jul 2003 25:00:00 +0000", "Tue, 1 Jul 2003"})
        EXPECT_FALSE(parse_rfc5322_date(bad)) << bad;
}

TEST(internal_date, the_date_header_else_the_file_time) {
    test::temp_dir dir;
    const auto mtime = std::chrono::system_clock::time_point(std::chrono::seconds(1234567890));
    const auto with = dir.path() / "with";
    std::ofstream(with) << "Subject: x\nDate: Tue, 1 Jul 2003\n 10:52:37 +0200\n\nDate: no\n";
    EXPECT_EQ(internal_date_of(with, mtime), 1057049557); // folded header
    const auto without = dir.path() / "without";
    std::ofstream(without) << "Subject: x\n\nDate: Tue, 1 Jul 2003 10:52:37 +0200\n";
    EXPECT_EQ(internal_date_of(without, mtime), 1234567890); // a Date in the body is no header
    EXPECT_EQ(internal_date_of(dir.path() / "missing", mtime), 1234567890);
}

} // namespace
} // namespace postfach::maildir
