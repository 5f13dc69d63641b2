#include "maildir/line_endings.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace postfach::maildir {
namespace {

std::string to_lf_split_at(std::string_view input, std::size_t split) {
    crlf_to_lf conv;
    std::string out;
    conv.feed(input.substr(0, split), out);
    conv.feed(input.substr(split), out);
    conv.finish(out);
    return out;
}

std::string to_crlf_split_at(std::string_view input, std::size_t split) {
    lf_to_crlf conv;
    std::string out;
    conv.feed(input.substr(0, split), out);
    conv.feed(input.substr(split), out);
    return out;
}

TEST(crlf_to_lf, converts_at_every_split_point) {
    const std::string input = "Subject: a\r\n\r\nline\rwith lone CR\r\nend\r";
    const std::string expected = "Subject: a\n\nline\rwith lone CR\nend\r";
    for (std::size_t split = 0; split <= input.size(); ++split)
        EXPECT_EQ(to_lf_split_at(input, split), expected) << "split at " << split;
}

TEST(crlf_to_lf, one_byte_chunks) {
    const std::string input = "a\r\n\r\r\nb\n\0c\r\n";
    crlf_to_lf conv;
    std::string out;
    for (char c : input)
        conv.feed(std::string_view(&c, 1), out);
    conv.finish(out);
    EXPECT_EQ(out, "a\n\r\nb\n\0c\n");
}

TEST(crlf_to_lf, empty_chunks_keep_a_pending_cr) {
    crlf_to_lf conv;
    std::string out;
    conv.feed("x\r", out);
    conv.feed("", out);
    conv.feed("\ny", out);
    conv.finish(out);
    EXPECT_EQ(out, "x\ny");
}

TEST(crlf_to_lf, convert_whole_gives_what_feed_and_finish_give) {
    const std::vector<std::string> inputs = {
        "",
        "\r",
        "\n",
        "\r\n",
        "\r\r\n",
        "\n\r",
        "a\rb",
        "Subject: a\r\n\r\nline\rwith lone CR\r\nend\r",
        std::string("bin\0ary\r\n\0\r", 11), // 11 bytes, two of them NUL
    };
    for (const auto& input : inputs) {
        crlf_to_lf conv;
        std::string expected;
        conv.feed(input, expected);
        conv.finish(expected);
        std::string whole = input;
        crlf_to_lf::convert_whole(whole);
        EXPECT_EQ(whole, expected) << "input of " << input.size() << " bytes";
    }
}

TEST(crlf_to_lf, convert_whole_of_a_long_message_with_every_mix_of_cr_and_lf) {
    // Every sequence of four bytes from {a, CR, LF}, one after the other, and longer runs
    // between the CRs than memchr's stride.
    std::string input;
    for (int i = 0; i < 81; ++i) {
        int n = i;
        for (int k = 0; k < 4; ++k, n /= 3)
            input.push_back("a\r\n"[n % 3]);
        input.append(std::string(static_cast<std::size_t>(i), 'x'));
    }
    std::string expected;
    for (std::size_t i = 0; i < input.size(); ++i)
        if (!(input[i] == '\r' && i + 1 < input.size() && input[i + 1] == '\n'))
            expected.push_back(input[i]);
    std::string whole = input;
    crlf_to_lf::convert_whole(whole);
    EXPECT_EQ(whole, expected);
    for (std::size_t split : {std::size_t{1}, std::size_t{7}, input.size() / 2})
        EXPECT_EQ(to_lf_split_at(input, split), expected) << "split at " << split;
}

TEST(lf_to_crlf, converts_at_every_split_point_and_keeps_existing_crlf) {
    const std::string input = "Subject: a\n\nbody\r\nmixed\n";
    const std::string expected = "Subject: a\r\n\r\nbody\r\nmixed\r\n";
    for (std::size_t split = 0; split <= input.size(); ++split)
        EXPECT_EQ(to_crlf_split_at(input, split), expected) << "split at " << split;
}

TEST(line_endings, round_trip_of_a_wire_message) {
    const std::string wire = "From: a@b\r\nSubject: c\r\n\r\nbody\r\n.\r\n";
    std::string disk;
    crlf_to_lf down;
    down.feed(wire, disk);
    down.finish(disk);
    EXPECT_EQ(disk.find('\r'), std::string::npos);
    std::string back;
    lf_to_crlf up;
    up.feed(disk, back);
    EXPECT_EQ(back, wire);
}

} // namespace
} // namespace postfach::maildir
