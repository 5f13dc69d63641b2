#include "imap/command_writer.hpp"

#include <gtest/gtest.h>

namespace postfach::imap {
namespace {

// The command's parts as one string: "<+>" where the client waits for a continuation,
// "<body N>" where the caller sends N bytes, "<secret>...</secret>" around sensitive bytes.
std::string transcript(const command& c) {
    std::string out;
    for (const auto& part : c.parts) {
        switch (part.type) {
        case command_part::kind::bytes:
            out += part.sensitive ? "<secret>" + part.bytes + "</secret>" : part.bytes;
            break;
        case command_part::kind::wait_for_continuation:
            out += "<+>";
            break;
        case command_part::kind::body:
            out += "<body " + std::to_string(part.body_size) + ">";
        }
    }
    return out;
}

class command_writer_test : public ::testing::Test {
protected:
    command_writer writer;
};

TEST_F(command_writer_test, tags_count_up) {
    EXPECT_EQ(transcript(writer.capability()), "A1 CAPABILITY\r\n");
    EXPECT_EQ(transcript(writer.noop()), "A2 NOOP\r\n");
    const auto logout = writer.logout();
    EXPECT_EQ(logout.tag, "A3");
    EXPECT_EQ(logout.name, "LOGOUT");
    EXPECT_EQ(transcript(logout), "A3 LOGOUT\r\n");
    EXPECT_EQ(transcript(writer.starttls()), "A4 STARTTLS\r\n");
}

TEST_F(command_writer_test, notify_set_writes_one_parenthesised_group_per_filter) {
    const auto c = writer.notify_set(
        {{"selected", {"MessageNew", "MessageExpunge", "FlagChange"}},
         {"personal", {"MessageNew", "MessageExpunge", "FlagChange", "MailboxName"}}});
    EXPECT_EQ(c.name, "NOTIFY");
    EXPECT_EQ(transcript(c), "A1 NOTIFY SET (selected (MessageNew MessageExpunge FlagChange)) "
                             "(personal (MessageNew MessageExpunge FlagChange MailboxName))\r\n");
}

TEST_F(command_writer_test, idle_and_done) {
    EXPECT_EQ(transcript(writer.idle()), "A1 IDLE\r\n");
    const auto done = command_writer::done();
    EXPECT_EQ(done.tag, "");
    EXPECT_EQ(transcript(done), "DONE\r\n");
}

TEST_F(command_writer_test, enable) {
    EXPECT_EQ(transcript(writer.enable({"CONDSTORE", "QRESYNC"})),
              "A1 ENABLE CONDSTORE QRESYNC\r\n");
}

TEST_F(command_writer_test, login_marks_the_password_sensitive) {
    EXPECT_EQ(transcript(writer.login("alice", secret_string("hunter2"))),
              "<secret>A1 LOGIN alice hunter2\r\n</secret>");
    EXPECT_EQ(transcript(writer.login("alice@example.com", secret_string("p a\"s\\s"))),
              "<secret>A2 LOGIN alice@example.com \"p a\\\"s\\\\s\"\r\n</secret>");
    // 8-bit password: a synchronizing literal, only the part after the wait is secret.
    EXPECT_EQ(transcript(writer.login("bob", secret_string("p\xc3\xa4ss"))),
              "A3 LOGIN bob {5}\r\n<+><secret>p\xc3\xa4ss\r\n</secret>");
    writer.set_literal_mode(literal_mode::literal_plus);
    EXPECT_EQ(transcript(writer.login("bob", secret_string("p\xc3\xa4ss"))),
              "<secret>A4 LOGIN bob {5+}\r\np\xc3\xa4ss\r\n</secret>");
    EXPECT_EQ(transcript(writer.login("", secret_string(""))),
              "<secret>A5 LOGIN \"\" \"\"\r\n</secret>");
}

TEST_F(command_writer_test, authenticate) {
    EXPECT_EQ(transcript(writer.authenticate("PLAIN")), "A1 AUTHENTICATE PLAIN\r\n");
    EXPECT_EQ(transcript(writer.authenticate("PLAIN", secret_string(std::string("\0u\0p", 4)))),
              "<secret>A2 AUTHENTICATE PLAIN AHUAcA==\r\n</secret>");
    EXPECT_EQ(transcript(writer.authenticate("EXTERNAL", secret_string(""))),
              "<secret>A3 AUTHENTICATE EXTERNAL =\r\n</secret>");
    EXPECT_EQ(transcript(command_writer::sasl_response(secret_string("alice"))),
              "<secret>YWxpY2U=\r\n</secret>");
    EXPECT_EQ(transcript(command_writer::sasl_cancel()), "*\r\n");
}

TEST_F(command_writer_test, select_and_examine) {
    EXPECT_EQ(transcript(writer.select("INBOX")), "A1 SELECT INBOX\r\n");
    EXPECT_EQ(transcript(writer.examine("Sent Items", select_options{true, std::nullopt})),
              "A2 EXAMINE \"Sent Items\" (CONDSTORE)\r\n");
    EXPECT_EQ(transcript(writer.select(
                  "INBOX",
                  select_options{false, qresync_parameters{67890007, 20050715194045000,
                                                           uid_set::parse("41,43:211,214:541")}})),
              "A3 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n");
    EXPECT_EQ(
        transcript(writer.select("INBOX", select_options{false, qresync_parameters{1, 2, {}}})),
        "A4 SELECT INBOX (QRESYNC (1 2))\r\n");
    EXPECT_EQ(transcript(writer.select("Entw&APw-rfe")), "A5 SELECT Entw&APw-rfe\r\n");
}

TEST_F(command_writer_test, list_with_return_options) {
    EXPECT_EQ(transcript(writer.list("", "*")), "A1 LIST \"\" *\r\n");
    EXPECT_EQ(transcript(writer.list(
                  "", "%", {.special_use = true, .status_items = {"MESSAGES", "UIDNEXT"}})),
              "A2 LIST \"\" % RETURN (SPECIAL-USE STATUS (MESSAGES UIDNEXT))\r\n");
    EXPECT_EQ(transcript(writer.list("", "My Folder/*")), "A3 LIST \"\" \"My Folder/*\"\r\n");
}

TEST_F(command_writer_test, status_and_id) {
    EXPECT_EQ(transcript(writer.status("INBOX", {"MESSAGES", "UIDNEXT", "UIDVALIDITY"})),
              "A1 STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY)\r\n");
    EXPECT_EQ(transcript(writer.id({{"name", "postfach"}, {"version", "0.1.0"}})),
              "A2 ID (\"name\" \"postfach\" \"version\" \"0.1.0\")\r\n");
    EXPECT_EQ(transcript(writer.id({})), "A3 ID NIL\r\n");
}

TEST_F(command_writer_test, uid_commands) {
    const auto set = uid_set::from_uids({9, 1, 2, 3, 4, 5, 7, 10, 11, 12, 3});
    EXPECT_EQ(set.to_string(), "1:5,7,9:12");
    EXPECT_EQ(transcript(writer.uid_fetch(uid_set::range(1, uid_set::star), {"UID", "FLAGS"}, 12345,
                                          true)),
              "A1 UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n");
    EXPECT_EQ(transcript(writer.uid_fetch(set, {"UID", "RFC822.SIZE", "BODY.PEEK[]"})),
              "A2 UID FETCH 1:5,7,9:12 (UID RFC822.SIZE BODY.PEEK[])\r\n");
    EXPECT_EQ(transcript(writer.uid_store(set, store_action::add, {"\\Seen", "\\Flagged"})),
              "A3 UID STORE 1:5,7,9:12 +FLAGS.SILENT (\\Seen \\Flagged)\r\n");
    EXPECT_EQ(transcript(writer.uid_store(uid_set::from_uids({4}), store_action::remove,
                                          {"\\Deleted"}, true, 77)),
              "A4 UID STORE 4 (UNCHANGEDSINCE 77) -FLAGS.SILENT (\\Deleted)\r\n");
    EXPECT_EQ(
        transcript(writer.uid_store(uid_set::from_uids({4}), store_action::replace, {}, false)),
        "A5 UID STORE 4 FLAGS ()\r\n");
    EXPECT_EQ(transcript(writer.uid_expunge(set)), "A6 UID EXPUNGE 1:5,7,9:12\r\n");
    EXPECT_EQ(transcript(writer.uid_move(set, "Archive")), "A7 UID MOVE 1:5,7,9:12 Archive\r\n");
    EXPECT_EQ(transcript(writer.uid_copy(uid_set::from_uids({3}), "[Gmail]/All Mail")),
              "A8 UID COPY 3 \"[Gmail]/All Mail\"\r\n");
}

TEST_F(command_writer_test, mailbox_management_and_search) {
    EXPECT_EQ(transcript(writer.create("Archive/2024")), "A1 CREATE Archive/2024\r\n");
    EXPECT_EQ(transcript(writer.delete_mailbox("Old Stuff")), "A2 DELETE \"Old Stuff\"\r\n");
    EXPECT_EQ(transcript(writer.rename("A", "B &- C")), "A3 RENAME A \"B &- C\"\r\n");
    EXPECT_EQ(transcript(writer.subscribe("A")), "A4 SUBSCRIBE A\r\n");
    EXPECT_EQ(transcript(writer.unselect()), "A5 UNSELECT\r\n");
    EXPECT_EQ(transcript(writer.close()), "A6 CLOSE\r\n");
    EXPECT_EQ(transcript(writer.expunge()), "A7 EXPUNGE\r\n");
    EXPECT_EQ(transcript(writer.uid_search("HEADER Message-ID " + *quoted_string("<a\"b@c>"),
                                           {"ALL", "COUNT"})),
              "A8 UID SEARCH RETURN (ALL COUNT) HEADER Message-ID \"<a\\\"b@c>\"\r\n");
    EXPECT_EQ(transcript(writer.uid_search("UID 1:*")), "A9 UID SEARCH UID 1:*\r\n");
    EXPECT_FALSE(quoted_string("a\r\nb"));
    EXPECT_FALSE(quoted_string("\xc3\xa4"));
}

TEST_F(command_writer_test, append_streams_the_body) {
    EXPECT_EQ(transcript(writer.append("INBOX", {"\\Seen"}, "17-Jul-1996 02:44:25 -0700", 310)),
              "A1 APPEND INBOX (\\Seen) \"17-Jul-1996 02:44:25 -0700\" {310}\r\n<+><body 310>\r\n");
    EXPECT_EQ(transcript(writer.append("Drafts", {}, std::nullopt, 0)),
              "A2 APPEND Drafts {0}\r\n<+><body 0>\r\n");
    writer.set_literal_mode(literal_mode::literal_plus);
    EXPECT_EQ(transcript(writer.append("INBOX", {}, std::nullopt, 100000)),
              "A3 APPEND INBOX {100000+}\r\n<body 100000>\r\n");
}

TEST_F(command_writer_test, literal_minus_caps_non_synchronizing_literals) {
    writer.set_literal_mode(literal_mode::literal_minus);
    EXPECT_EQ(transcript(writer.append("INBOX", {}, std::nullopt, 4096)),
              "A1 APPEND INBOX {4096+}\r\n<body 4096>\r\n");
    EXPECT_EQ(transcript(writer.append("INBOX", {}, std::nullopt, 4097)),
              "A2 APPEND INBOX {4097}\r\n<+><body 4097>\r\n");
    EXPECT_FALSE(writer.append("INBOX", {}, std::nullopt, 4096).waits_for_continuation());
    EXPECT_TRUE(writer.append("INBOX", {}, std::nullopt, 4097).waits_for_continuation());
}

TEST_F(command_writer_test, strings_choose_atom_quoted_or_literal) {
    EXPECT_EQ(transcript(writer.select("a\"b")), "A1 SELECT \"a\\\"b\"\r\n");
    EXPECT_EQ(transcript(writer.select("line\r\nbreak")), "A2 SELECT {11}\r\n<+>line\r\nbreak\r\n");
    const std::string long_name(1001, 'x');
    EXPECT_EQ(transcript(writer.select(long_name + " ")),
              "A3 SELECT {1002}\r\n<+>" + long_name + " \r\n");
    EXPECT_EQ(transcript(writer.select("NIL")), "A4 SELECT NIL\r\n"); // astring: no NIL
    EXPECT_EQ(transcript(writer.select("a%b")), "A5 SELECT \"a%b\"\r\n");
}

TEST(uid_set, parse_and_format) {
    EXPECT_EQ(uid_set::parse("1:5,7,9:*")->to_string(), "1:5,7,9:*");
    EXPECT_FALSE(uid_set::parse(""));
    EXPECT_FALSE(uid_set::parse("0"));
    EXPECT_FALSE(uid_set::parse("1,"));
    EXPECT_FALSE(uid_set::parse("1::2"));
    EXPECT_FALSE(uid_set::parse("4294967296"));
    EXPECT_EQ(uid_set::from_uids({}).to_string(), "");
    EXPECT_EQ(uid_set::from_uids({4294967295u, 4294967294u}).to_string(), "4294967294:4294967295");
}

TEST(uid_set, count_contains_and_bounded_expansion) {
    const auto set = *uid_set::parse("1:5,7,9:*");
    EXPECT_EQ(set.count(), 6u);
    EXPECT_TRUE(set.contains(3));
    EXPECT_FALSE(set.contains(6));
    EXPECT_FALSE(set.contains(8));
    EXPECT_TRUE(set.contains(9));
    EXPECT_TRUE(set.contains(100000));
    EXPECT_EQ(set.to_uids(), (std::vector<std::uint32_t>{1, 2, 3, 4, 5, 7}));
    const auto huge = *uid_set::parse("1:4294967295");
    EXPECT_EQ(huge.count(), 4294967295u);
    EXPECT_FALSE(huge.to_uids()) << "a hostile range is not expanded";
    EXPECT_EQ(uid_set::parse("5:3")->to_uids(), (std::vector<std::uint32_t>{3, 4, 5}));
}

TEST(uid_set, split_keeps_lines_short) {
    const auto set = uid_set::from_uids({1, 2, 3, 10, 20, 30, 40, 400});
    EXPECT_EQ(set.to_string(), "1:3,10,20,30,40,400");
    std::vector<std::string> pieces;
    for (const auto& piece : set.split(8))
        pieces.push_back(piece.to_string());
    EXPECT_EQ(pieces, (std::vector<std::string>{"1:3,10", "20,30,40", "400"}));
    EXPECT_TRUE(uid_set{}.split(8).empty());
    EXPECT_EQ(set.split(1000).size(), 1u);
}

} // namespace
} // namespace postfach::imap
