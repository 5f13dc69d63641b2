#include "imap/imap_errc.hpp"
#include "imap/mailbox_name.hpp"

#include <gtest/gtest.h>

namespace postfach::imap {
namespace {

std::string encode(std::string_view utf8) {
    std::string out = "not cleared";
    const auto ec = encode_mailbox_name(utf8, out);
    EXPECT_FALSE(ec) << utf8;
    return out;
}

std::string decode(std::string_view wire) {
    std::string out = "not cleared";
    const auto ec = decode_mailbox_name(wire, out);
    EXPECT_FALSE(ec) << wire;
    return out;
}

void expect_round_trip(std::string_view utf8, std::string_view wire) {
    EXPECT_EQ(encode(utf8), wire);
    EXPECT_EQ(decode(wire), utf8);
}

TEST(mailbox_name, ascii_is_unchanged) {
    expect_round_trip("INBOX", "INBOX");
    expect_round_trip("Archive/2024 Q1", "Archive/2024 Q1");
    expect_round_trip("", "");
    expect_round_trip("~peter/mail", "~peter/mail");
}

TEST(mailbox_name, ampersand) {
    expect_round_trip("&", "&-");
    expect_round_trip("Tom & Jerry", "Tom &- Jerry");
    expect_round_trip("&&", "&-&-");
}

TEST(mailbox_name, non_ascii) {
    expect_round_trip("Entwürfe", "Entw&APw-rfe");
    expect_round_trip("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
    expect_round_trip("Ä&Ö", "&AMQ-&-&ANY-");
    expect_round_trip("ÄÖ", "&AMQA1g-");
    expect_round_trip("€", "&IKw-");
    // Control characters are not printable ASCII: they are shifted too.
    expect_round_trip("\x7f", "&AH8-");
}

TEST(mailbox_name, surrogate_pairs) {
    expect_round_trip("😀", "&2D3eAA-");
    expect_round_trip("a😀b€", "a&2D3eAA-b&IKw-");
}

TEST(mailbox_name, rejects_invalid_wire_names) {
    for (const std::string_view wire : {
             "&",          // unterminated shift
             "&AMQ",       // unterminated shift
             "&AMQ-&ANY-", // redundant shift: must be one shift
             "&AGE-",      // 'a' (printable ASCII) in base64
             "&ACY-",      // '&' in base64 instead of &-
             "&AM/-",      // '/' is not modified base64 (',' is)
             "&AM=-",      // padding is not used
             "&AMR-",      // non-zero padding bits
             "&AMQA-",     // a leftover sextet
             "&A-",        // too short for one UTF-16 unit
             "&2D0-",      // lone high surrogate
             "&3gA-",      // lone low surrogate
             "&2D3YPQ-",   // high surrogate followed by high surrogate
             "Entw\xc3\xbc"
             "rfe",       // raw 8-bit
             "tab\there", // control character unshifted
         }) {
        std::string out = "x";
        EXPECT_EQ(decode_mailbox_name(wire, out), imap_errc::invalid_mailbox_name) << wire;
        EXPECT_EQ(out, "") << wire;
    }
}

TEST(mailbox_name, rejects_invalid_utf8) {
    for (const std::string_view utf8 : {
             "\xc3",             // truncated
             "\xc3(",            // bad continuation
             "\x80",             // stray continuation
             "\xc0\xaf",         // overlong '/'
             "\xe0\x80\xaf",     // overlong '/'
             "\xed\xa0\x80",     // encoded surrogate
             "\xf4\x90\x80\x80", // above U+10FFFF
             "\xff",
         }) {
        std::string out = "x";
        EXPECT_EQ(encode_mailbox_name(utf8, out), imap_errc::invalid_mailbox_name);
        EXPECT_EQ(out, "");
    }
}

} // namespace
} // namespace postfach::imap
