#include "imap/date_time.hpp"

#include <gtest/gtest.h>

namespace postfach::imap {
namespace {

TEST(date_time, formats_in_utc) {
    EXPECT_EQ(format_date_time(0), "01-Jan-1970 00:00:00 +0000");
    EXPECT_EQ(format_date_time(1795245342), "21-Nov-2026 07:15:42 +0000");
}

TEST(date_time, parses_with_zones_and_one_digit_days) {
    EXPECT_EQ(parse_date_time("01-Jan-1970 00:00:00 +0000"), 0);
    EXPECT_EQ(parse_date_time("21-Nov-2026 07:15:42 +0000"), 1795245342);
    EXPECT_EQ(parse_date_time("21-Nov-2026 09:15:42 +0200"), 1795245342);
    EXPECT_EQ(parse_date_time("20-Nov-2026 23:15:42 -0800"), 1795245342);
    EXPECT_EQ(parse_date_time(" 1-Mar-2024 00:00:00 +0000"), 1709251200);
    EXPECT_EQ(parse_date_time("1-Mar-2024 00:00:00 +0000"), 1709251200);
    EXPECT_EQ(parse_date_time("29-Feb-2024 12:00:00 +0000"), 1709208000);
}

TEST(date_time, round_trips) {
    for (const std::int64_t t : {0LL, 951782400LL, 1709208000LL, 4102444799LL})
        EXPECT_EQ(parse_date_time(format_date_time(t)), t);
}

TEST(date_time, refuses_what_is_not_a_date_time) {
    EXPECT_FALSE(parse_date_time(""));
    EXPECT_FALSE(parse_date_time("21-Foo-2026 07:15:42 +0000"));
    EXPECT_FALSE(parse_date_time("21-Nov-2026 07:15:42"));
    EXPECT_FALSE(parse_date_time("21-Nov-2026 25:15:42 +0000"));
    EXPECT_FALSE(parse_date_time("21-Nov-2026 07:15:42 +0000 "));
    EXPECT_FALSE(parse_date_time("x1-Nov-2026 07:15:42 +0000"));
}

} // namespace
} // namespace postfach::imap
