#include "net/read_buffer.hpp"

#include <gtest/gtest.h>

namespace postfach::net {
namespace {

TEST(read_buffer, hands_out_lines_without_their_endings) {
    read_buffer b;
    b.append("* OK ready\r\nbare\nrest");
    EXPECT_EQ(b.take_line(), "* OK ready");
    EXPECT_EQ(b.take_line(), "bare");
    EXPECT_EQ(b.take_line(), std::nullopt);
    EXPECT_EQ(b.size(), 4u);
    b.append("\r\n");
    EXPECT_EQ(b.take_line(), "rest");
    EXPECT_TRUE(b.empty());
}

TEST(read_buffer, finds_a_line_end_that_arrives_byte_by_byte) {
    read_buffer b;
    for (const char c : std::string_view("a OK done\r")) {
        b.append(std::string_view(&c, 1));
        EXPECT_EQ(b.take_line(), std::nullopt);
    }
    b.append("\n");
    EXPECT_EQ(b.take_line(), "a OK done");
}

TEST(read_buffer, exact_counts_and_everything) {
    read_buffer b;
    b.append("hello\r\nworld");
    EXPECT_EQ(b.take_line().has_value(), true);
    EXPECT_EQ(b.take_exactly(6), std::nullopt);
    EXPECT_EQ(b.take_exactly(3), "wor");
    EXPECT_EQ(b.take_all(), "ld");
    EXPECT_TRUE(b.empty());
}

TEST(read_buffer, a_line_after_an_exact_read_is_found_after_a_partial_scan) {
    read_buffer b;
    b.append("{3}abc");
    EXPECT_EQ(b.take_line(), std::nullopt); // scans all six bytes
    EXPECT_EQ(b.take_exactly(3), "{3}");
    b.append("\r\n");
    EXPECT_EQ(b.take_line(), "abc");
}

} // namespace
} // namespace postfach::net
