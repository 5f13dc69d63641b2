#include "config/duration.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using postfach::config::format_duration;
using postfach::config::parse_duration;

TEST(duration, parses_units_and_combinations) {
    EXPECT_EQ(parse_duration("30s").value, 30s);
    EXPECT_EQ(parse_duration("5m").value, 5min);
    EXPECT_EQ(parse_duration("2h").value, 2h);
    EXPECT_EQ(parse_duration("1d").value, 24h);
    EXPECT_EQ(parse_duration("250ms").value, 250ms);
    EXPECT_EQ(parse_duration("1h30m").value, 90min);
    EXPECT_EQ(parse_duration("0s").value, 0s);
}

TEST(duration, refuses_what_is_ambiguous_or_wrong) {
    EXPECT_NE(parse_duration("300").error.find("has no unit"), std::string::npos);
    EXPECT_FALSE(parse_duration("5 m").ok());
    EXPECT_NE(parse_duration("5min").error.find("unknown unit 'min'"), std::string::npos);
    EXPECT_FALSE(parse_duration("").ok());
    EXPECT_FALSE(parse_duration("-5s").ok());
    EXPECT_FALSE(parse_duration("m").ok());
    EXPECT_FALSE(parse_duration("400d").ok());
    EXPECT_FALSE(parse_duration("99999999999999s").ok());
}

TEST(duration, formats_the_shortest_exact_form) {
    EXPECT_EQ(format_duration(90min), "1h30m");
    EXPECT_EQ(format_duration(5min), "5m");
    EXPECT_EQ(format_duration(1500ms), "1s500ms");
    EXPECT_EQ(format_duration(0ms), "0s");
    for (const char* text : {"1d2h3m4s5ms", "45s", "7m"})
        EXPECT_EQ(format_duration(parse_duration(text).value), text);
}

} // namespace
