// What a watching connection's untagged data says changed, from Dovecot 2.3 transcripts (the
// test fixture, recorded with NOTIFY SET (personal (MessageNew MessageExpunge FlagChange
// MailboxName SubscriptionChange)) while IDLE ran).

#include "imap/response_parser.hpp"
#include "imap/watch_events.hpp"
#include "tests/unit/support/parser_feed.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace postfach::imap {
namespace {

std::vector<response> parse(std::string_view wire) {
    return test::parse_all<response_parser>(wire);
}

using names = std::vector<std::string>;

TEST(watch_events, keep_alives_change_nothing) {
    const auto e = summarize_watch_events(parse("* OK Still here\r\n* OK Still here\r\n"));
    EXPECT_FALSE(e.any());
}

TEST(watch_events, notify_status_names_the_folder_that_got_mail_or_flags) {
    const auto e = summarize_watch_events(
        parse("* STATUS Sent (MESSAGES 2 UIDNEXT 3 UNSEEN 2 HIGHESTMODSEQ 3)\r\n"
              "* OK Still here\r\n"
              "* STATUS Archive (HIGHESTMODSEQ 3)\r\n"
              "* STATUS Sent (MESSAGES 3 UIDNEXT 4 UNSEEN 3 HIGHESTMODSEQ 4)\r\n"));
    EXPECT_EQ(e.mailboxes, (names{"Sent", "Archive"}));
    EXPECT_FALSE(e.selected_changed);
    EXPECT_FALSE(e.overflow);
    EXPECT_TRUE(e.any());
}

TEST(watch_events, notify_list_names_created_and_renamed_folders) {
    const auto e =
        summarize_watch_events(parse("* LIST () \"/\" NewBox\r\n"
                                     "* LIST () \"/\" Sent2 (\"OLDNAME\" (Sent))\r\n"
                                     "* STATUS Archive (MESSAGES 0 UIDNEXT 2 UNSEEN 0)\r\n"
                                     "* LIST (\\NonExistent) \"/\" Gone\r\n"));
    EXPECT_EQ(e.mailboxes, (names{"NewBox", "Sent2", "Archive", "Gone"}));
}

TEST(watch_events, data_of_the_selected_mailbox) {
    for (const char* wire : {"* 3 EXISTS\r\n", "* 1 RECENT\r\n", "* 2 EXPUNGE\r\n",
                             "* VANISHED 4:5\r\n", "* 1 FETCH (UID 7 FLAGS (\\Seen))\r\n"}) {
        const auto e = summarize_watch_events(parse(wire));
        EXPECT_TRUE(e.selected_changed) << wire;
        EXPECT_TRUE(e.mailboxes.empty()) << wire;
    }
}

TEST(watch_events, notification_overflow) {
    const auto e = summarize_watch_events(
        parse("* OK [NOTIFICATIONOVERFLOW] ...A lot of events have occurred\r\n"));
    EXPECT_TRUE(e.overflow);
    EXPECT_TRUE(e.any());
}

} // namespace
} // namespace postfach::imap
