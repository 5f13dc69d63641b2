// The mailboxes_file: one mutt line in the layout's paths, INBOX first, quoted for mutt,
// rewritten atomically and only when the folder set changed.

#include "daemon/mailboxes_file.hpp"
#include "daemon/pass_followup.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <sys/stat.h>

namespace postfach {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

ino_t inode_of(const fs::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 ? st.st_ino : 0;
}

TEST(mailboxes_line, maildir_plus_plus_paths_with_inbox_first) {
    const maildir::folder_layout layout("/home/me/Mail", maildir::layout_kind::maildir_plus_plus);
    EXPECT_EQ(mailboxes_line(layout, {"Sent", "Archive/2025", "INBOX"}),
              "mailboxes '/home/me/Mail' '/home/me/Mail/.Archive.2025' '/home/me/Mail/.Sent'\n");
}

TEST(mailboxes_line, verbatim_paths_and_quoting_for_mutt) {
    const maildir::folder_layout layout("/m", maildir::layout_kind::verbatim);
    EXPECT_EQ(mailboxes_line(layout, {"INBOX", "Bob's $stuff"}),
              "mailboxes '/m/INBOX' \"/m/Bob's \\$stuff\"\n");
    EXPECT_EQ(mailboxes_line(layout, {}), "mailboxes\n");
}

TEST(mailboxes_file, written_when_folders_change_and_left_alone_otherwise) {
    test::temp_dir tmp;
    const maildir::folder_layout layout(tmp.path() / "Mail", maildir::layout_kind::verbatim);
    ASSERT_FALSE(layout.create_folder("INBOX"));
    ASSERT_FALSE(layout.create_folder("Sent"));
    const auto file = tmp.path() / "mutt" / "mailboxes";
    bool changed = false;
    ASSERT_FALSE(update_mailboxes_file(file, layout, changed));
    EXPECT_TRUE(changed);
    const auto root = (tmp.path() / "Mail").string();
    EXPECT_EQ(read_file(file), "mailboxes '" + root + "/INBOX' '" + root + "/Sent'\n");
    const auto inode = inode_of(file);

    ASSERT_FALSE(update_mailboxes_file(file, layout, changed));
    EXPECT_FALSE(changed);
    EXPECT_EQ(inode_of(file), inode) << "unchanged content is not rewritten";

    ASSERT_FALSE(layout.create_folder("Drafts"));
    ASSERT_FALSE(update_mailboxes_file(file, layout, changed));
    EXPECT_TRUE(changed);
    EXPECT_NE(inode_of(file), inode) << "replaced by rename, not rewritten in place";
    EXPECT_EQ(read_file(file),
              "mailboxes '" + root + "/INBOX' '" + root + "/Drafts' '" + root + "/Sent'\n");
    for (const auto& e : fs::directory_iterator(file.parent_path()))
        EXPECT_EQ(e.path().filename(), "mailboxes") << "no temporary file left";
}

TEST(new_mail_of, counts_what_each_folder_fetched) {
    sync::pass_result r;
    sync::folder_outcome inbox;
    inbox.folder = "INBOX";
    sync::action fetch;
    fetch.kind = sync::action_kind::copy;
    fetch.target = sync::side::local;
    sync::action upload = fetch;
    upload.target = sync::side::remote;
    inbox.plan.actions = {fetch, fetch, upload};
    sync::folder_outcome sent;
    sent.folder = "Sent";
    sent.plan.actions = {upload};
    r.folders = {inbox, sent};
    EXPECT_EQ(new_mail_of(r), (std::vector<new_mail_batch>{{"INBOX", 2}}));
}

} // namespace
} // namespace postfach
