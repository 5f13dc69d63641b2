#include "imap/message_id.hpp"

#include <gtest/gtest.h>

namespace postfach::imap {
namespace {

TEST(message_id, found_in_any_case_with_folding_and_either_line_ending) {
    EXPECT_EQ(find_message_id("From: a@b\r\nMessage-ID: <1@x>\r\n\r\nbody"), "<1@x>");
    EXPECT_EQ(find_message_id("message-id:<2@x>  \nSubject: s\n\n"), "<2@x>");
    EXPECT_EQ(find_message_id("Message-Id:\r\n <3@x>\r\nTo: c\r\n\r\n"), "<3@x>");
}

TEST(message_id, none_when_missing_or_only_in_the_body) {
    EXPECT_EQ(find_message_id("From: a@b\r\n\r\nMessage-ID: <1@x>\r\n"), "");
    EXPECT_EQ(find_message_id("X-Message-ID: <1@x>\r\n\r\n"), "");
    EXPECT_EQ(find_message_id(""), "");
}

} // namespace
} // namespace postfach::imap
