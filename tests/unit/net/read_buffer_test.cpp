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
    std::string rest = "dropped";
    b.take_all(rest);
    EXPECT_EQ(rest, "ld");
    EXPECT_TRUE(b.empty());
}

TEST(read_buffer, take_all_lends_the_callers_storage_back_to_the_buffer) {
    // A read loop passes the same string each time: after the first round trip no read
    // allocates (the strings trade storage).
    read_buffer b;
    std::string mine;
    mine.reserve(4096);
    const char* const storage = mine.data();
    b.append("first");
    b.take_all(mine);
    EXPECT_EQ(mine, "first");
    b.append(std::string(1000, 'x')); // fits the storage the buffer got from `mine`
    std::string other;
    b.take_all(other);
    EXPECT_EQ(other, std::string(1000, 'x'));
    EXPECT_EQ(other.data(), storage);
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
