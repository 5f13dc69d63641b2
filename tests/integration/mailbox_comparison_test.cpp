// The comparison helper of the fault tests finds what it must: after a sync both sides compare
// equal; a flag, a lost message, a duplicate, $Forwarded and a folder on one side are reported.

#include "tests/support/account_sync_test.hpp"

#include <gtest/gtest.h>

namespace postfach::test {
namespace {

namespace fs = std::filesystem;

class mailbox_comparison : public layout_sync_test {};

TEST_P(mailbox_comparison, reports_each_kind_of_difference) {
    server().add_message("alice", "INBOX", make_message("one", "1\r\n"));
    const auto two = server().add_message("alice", "INBOX", make_message("two", "2\r\n"));
    server().create_folder("alice", "Archive");
    server().add_message("alice", "Archive", make_message("three", "3\r\n"), {"\\Seen"});
    config();
    auto r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto d = compare();
    ASSERT_TRUE(d.equal()) << d.describe();
    EXPECT_EQ(server_snapshot(server(), "alice", {{"Trash"}}).message_count(), 3u);

    // $Forwarded is a Dovecot keyword on the server, the letter P locally.
    server().add_flags("alice", "INBOX", two, {"$Forwarded"});
    d = compare();
    EXPECT_EQ(d.flags_differ, 1u) << d.describe();
    EXPECT_NE(d.describe().find("'two'"), std::string::npos) << d.describe();
    r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    d = compare();
    ASSERT_TRUE(d.equal()) << d.describe();

    // A local duplicate, a lost local message, a folder only local.
    auto archive = local_messages("Archive");
    ASSERT_EQ(archive.size(), 1u);
    fs::copy_file(archive[0].path(folder_dir("Archive")),
                  folder_dir("Archive") / "cur" / "copy.local:2,S");
    auto inbox = local_messages("INBOX");
    ASSERT_EQ(inbox.size(), 2u);
    fs::remove(inbox[0].path(folder_dir("INBOX")));
    ASSERT_FALSE(maildir::folder_layout(maildir(), layout()).create_folder("Local only"));
    d = compare();
    EXPECT_EQ(d.duplicated, 1u) << d.describe();
    EXPECT_EQ(d.only_on_server, 1u) << d.describe();
    EXPECT_EQ(d.folders_differ, 1u) << d.describe();
    EXPECT_EQ(d.only_local, 0u) << d.describe();
}

INSTANTIATE_TEST_SUITE_P(layouts, mailbox_comparison, ::testing::Values("maildir++", "verbatim"),
                         layout_test_name);

} // namespace
} // namespace postfach::test
