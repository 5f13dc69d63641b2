// The Maildir store against a real Dovecot on the same Maildir: what we deliver, flag and
// move, Dovecot reads with the same flags; what Dovecot writes, we adopt with its flags.

#include "maildir/delivery.hpp"
#include "maildir/folder_layout.hpp"
#include "maildir/maildir_folder.hpp"
#include "tests/fixture/dovecot_server.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using namespace postfach;
using postfach::test::dovecot_server;
using postfach::test::make_message;

// The tests may run as root while Dovecot's mail processes run as the Maildir's owner; in real
// use postfach runs as that owner. So hand what we created over to it.
void give_to_maildir_owner(const std::filesystem::path& maildir, const std::filesystem::path& p) {
    struct stat owner {};
    ASSERT_EQ(::stat(maildir.c_str(), &owner), 0);
    ASSERT_EQ(::lchown(p.c_str(), owner.st_uid, owner.st_gid), 0);
    for (const auto& entry : std::filesystem::recursive_directory_iterator(p))
        ASSERT_EQ(::lchown(entry.path().c_str(), owner.st_uid, owner.st_gid), 0);
}

class maildir_dovecot_test : public ::testing::Test {
protected:
    void SetUp() override {
        // Dovecot creates the user's Maildir (INBOX at the root) on first use.
        server_.add_message("alice", "INBOX", make_message("seeded"));
    }

    std::string fetch(std::string_view folder, std::string_view field) {
        return server_.doveadm(
            {"fetch", "-u", "alice", std::string(field), "mailbox", std::string(folder), "all"});
    }

    maildir::message_entry only_message(const maildir::maildir_folder& folder,
                                        std::string_view subject_base_hint = {}) {
        maildir::scan_result r;
        EXPECT_FALSE(folder.scan(r));
        EXPECT_EQ(r.messages.size(), 1U) << subject_base_hint;
        return r.messages.empty() ? maildir::message_entry{} : r.messages.front();
    }

    dovecot_server server_;
    maildir::folder_layout layout_{server_.maildir("alice"),
                                   maildir::layout_kind::maildir_plus_plus};
};

TEST_F(maildir_dovecot_test, dovecot_reads_our_deliveries_with_their_flags) {
    ASSERT_FALSE(layout_.create_folder("Delivered"));
    maildir::unique_name_generator names;
    maildir::delivery_batch batch;
    maildir::delivery_options seen_flagged;
    seen_flagged.flags = {maildir::flag::seen, maildir::flag::flagged};
    std::error_code ec;
    const auto dir = layout_.folder_dir("Delivered", ec);
    maildir::delivery d;
    ASSERT_FALSE(maildir::delivery::open(dir, seen_flagged, names, d));
    ASSERT_FALSE(d.append(make_message("from postfach", "line one\r\nline two\r\n")));
    ASSERT_FALSE(d.finish());
    ASSERT_FALSE(batch.add(std::move(d)));
    std::vector<maildir::delivered_message> done;
    ASSERT_FALSE(batch.commit(done));
    give_to_maildir_owner(layout_.root(), dir);

    EXPECT_EQ(server_.message_count("alice", "Delivered"), 1U);
    const auto flags = fetch("Delivered", "flags");
    EXPECT_NE(flags.find("\\Seen"), std::string::npos) << flags;
    EXPECT_NE(flags.find("\\Flagged"), std::string::npos) << flags;
    const auto text = fetch("Delivered", "text");
    EXPECT_NE(text.find("Subject: from postfach"), std::string::npos) << text;
    EXPECT_NE(text.find("line two"), std::string::npos) << text;
}

TEST_F(maildir_dovecot_test, we_adopt_dovecot_files_and_our_flag_renames_reach_it) {
    server_.create_folder("alice", "Work/Projects");
    server_.add_message("alice", "Work/Projects", make_message("from dovecot"), {"\\Answered"});
    std::error_code ec;
    const auto folders = layout_.list_folders(ec);
    ASSERT_FALSE(ec);
    EXPECT_NE(std::find(folders.begin(), folders.end(), "Work/Projects"), folders.end());

    const maildir::maildir_folder projects(layout_.folder_dir("Work/Projects", ec));
    auto msg = only_message(projects);
    EXPECT_TRUE(msg.flags.has(maildir::flag::answered)) << msg.file_name;

    ASSERT_FALSE(projects.set_flags(
        msg, {maildir::flag::answered, maildir::flag::seen, maildir::flag::deleted}));
    const auto flags = fetch("Work/Projects", "flags");
    EXPECT_NE(flags.find("\\Seen"), std::string::npos) << flags;
    EXPECT_NE(flags.find("\\Deleted"), std::string::npos) << flags;
    EXPECT_NE(flags.find("\\Answered"), std::string::npos) << flags;
}

TEST_F(maildir_dovecot_test, a_move_by_rename_shows_in_dovecot) {
    server_.create_folder("alice", "Archive");
    const maildir::maildir_folder inbox(layout_.root());
    std::error_code ec;
    const maildir::maildir_folder archive(layout_.folder_dir("Archive", ec));
    auto msg = only_message(inbox);
    ASSERT_FALSE(inbox.move_to(msg, archive));
    EXPECT_EQ(server_.message_count("alice", "INBOX"), 0U);
    EXPECT_EQ(server_.message_count("alice", "Archive"), 1U);
}

} // namespace
