// Which polled mailboxes changed between two polls, from Dovecot 2.3 STATUS / LIST-STATUS
// responses (the test fixture).

#include "imap/response_parser.hpp"
#include "imap/status_tracker.hpp"
#include "tests/unit/support/parser_feed.hpp"

#include <gtest/gtest.h>

namespace postfach::imap {
namespace {

std::vector<response> parse(std::string_view wire) {
    return test::parse_all<response_parser>(wire);
}

using names = std::vector<std::string>;

constexpr char list_status[] =
    "* LIST (\\HasNoChildren) \"/\" Archive\r\n"
    "* STATUS Archive (MESSAGES 1 UIDNEXT 2 UIDVALIDITY 1795700133 HIGHESTMODSEQ 2)\r\n"
    "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
    "* STATUS Sent (MESSAGES 1 UIDNEXT 2 UIDVALIDITY 1795700136 HIGHESTMODSEQ 2)\r\n";

TEST(status_tracker, the_first_poll_only_records_and_an_unchanged_poll_names_nothing) {
    status_tracker t;
    EXPECT_EQ(t.update(parse(list_status), true), names{});
    EXPECT_EQ(t.update(parse(list_status), true), names{});
}

TEST(status_tracker, new_mail_flag_changes_and_expunges_are_changes) {
    status_tracker t;
    t.update(parse(list_status), true);
    EXPECT_EQ(t.update(parse("* STATUS Archive (MESSAGES 1 UIDNEXT 2 UIDVALIDITY 1795700133 "
                             "HIGHESTMODSEQ 3)\r\n"
                             "* STATUS Sent (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 1795700136 "
                             "HIGHESTMODSEQ 3)\r\n"),
                       true),
              (names{"Archive", "Sent"}));
    EXPECT_EQ(t.update(parse("* STATUS Sent (HIGHESTMODSEQ 3 MESSAGES 2 UIDNEXT 3 UIDVALIDITY "
                             "1795700136)\r\n"),
                       false),
              names{})
        << "item order does not matter, and a partial poll forgets nothing";
}

TEST(status_tracker, folders_that_appear_or_vanish_in_a_complete_poll) {
    status_tracker t;
    t.update(parse(list_status), true);
    EXPECT_EQ(t.update(parse("* STATUS Archive (MESSAGES 1 UIDNEXT 2 UIDVALIDITY 1795700133 "
                             "HIGHESTMODSEQ 2)\r\n"
                             "* STATUS New (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 7 "
                             "HIGHESTMODSEQ 1)\r\n"),
                       true),
              (names{"New", "Sent"}));
}

} // namespace
} // namespace postfach::imap
