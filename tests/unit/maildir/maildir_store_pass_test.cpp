// Whole engine passes between an in-memory remote (IMAP-like) and a real maildir_store on a
// temporary directory, in both layouts: what the user sees on disk after each pass.

#include "maildir/maildir_store.hpp"
#include "sync/account_pass.hpp"
#include "tests/unit/maildir/layout_param.hpp"
#include "tests/unit/support/temp_dir.hpp"
#include "tests/unit/sync/memory_store.hpp"
#include "tests/unit/sync/pass_helpers.hpp"
#include "tests/unit/sync/store_decorators.hpp"

#include <ctime>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace postfach::maildir {
namespace {

using sync::flag_bits;
using sync::testing::memory_state;
using sync::testing::memory_store;
using sync::testing::wire_identity_store;

using namespace sync::flag_bit; // draft, flagged, forwarded, answered, seen, deleted

using sync::testing::contents;
using sync::testing::string_sink;

template <typename T>
T run(sync::task<T> t) {
    return sync::testing::run_task(std::move(t));
}

std::string mail(const std::string& tag) {
    return sync::testing::test_mail(tag);
}

class maildir_pass_test : public ::testing::TestWithParam<layout_kind> {
protected:
    maildir_pass_test() {
        remote_.working()["INBOX"];
        remote_.working()["Archive"];
        remote_.make_durable();
    }

    sync::pass_result pass(sync::pass_options options = {}) {
        auto all = [](const sync::folder_info&) {
            return true;
        };
        auto result =
            run(sync::run_account_pass({&remote_view_, &local_}, state_, all, std::move(options)));
        EXPECT_FALSE(result.any_error());
        for (const auto& f : result.folders)
            EXPECT_FALSE(f.error) << f.folder << ": " << f.error.message() << " " << f.error_detail;
        return result;
    }

    void expect_in_sync() { EXPECT_EQ(contents(remote_.durable()), contents(local_)); }

    void expect_second_pass_idle() {
        const auto again = pass();
        for (const auto& f : again.folders)
            EXPECT_TRUE(f.plan.actions.empty()) << f.folder;
    }

    fs::path dir(const std::string& folder) {
        std::error_code ec;
        return local_.layout().folder_dir(folder, ec);
    }
    message_entry local_entry(const std::string& folder, const std::string& id) {
        message_entry e;
        EXPECT_FALSE(maildir_folder(dir(folder)).find(id, e)) << folder << " " << id;
        return e;
    }
    // The base name of the only local message of a folder.
    std::string only_local_id(const std::string& folder) {
        sync::folder_scan s;
        EXPECT_FALSE(run(local_.scan(folder, s)));
        EXPECT_EQ(s.messages.size(), 1u) << folder;
        return s.messages.empty() ? "" : s.messages[0].id;
    }

    test::temp_dir tmp_;
    memory_store remote_{"", true};
    wire_identity_store remote_view_{remote_};
    maildir_store local_{folder_layout(tmp_.path() / "mail", GetParam())};
    memory_state state_;
};

TEST_P(maildir_pass_test, initial_sync_both_ways_then_an_idle_pass) {
    for (int i = 0; i < 10; ++i)
        remote_.add(i % 2 ? "INBOX" : "Archive", mail("r" + std::to_string(i)), i % 3 ? seen : 0);
    const auto first = pass();
    EXPECT_EQ(first.copied[1], 10u);
    ASSERT_FALSE(run(local_.create_folder("Drafts")));
    std::string id;
    // Mail written locally (by a mail client) goes up.
    maildir::unique_name_generator names;
    delivery d;
    delivery_options options;
    options.flags = flags_from_bits(seen);
    ASSERT_FALSE(delivery::open(dir("INBOX"), options, names, d));
    ASSERT_FALSE(d.append(mail("local")));
    ASSERT_FALSE(d.finish());
    delivery_batch batch;
    ASSERT_FALSE(batch.add(std::move(d)));
    std::vector<delivered_message> done;
    ASSERT_FALSE(batch.commit(done));
    const auto second = pass();
    EXPECT_EQ(second.copied[0], 1u);
    EXPECT_EQ(second.folders_created[0], 1u);
    expect_in_sync();
    expect_second_pass_idle();
}

TEST_P(maildir_pass_test, flag_changes_go_both_ways) {
    remote_.add("INBOX", mail("a"));
    remote_.add("INBOX", mail("b"));
    pass();
    // The server marks "a" seen; mutt flags "b" (a rename of its file).
    for (auto& [id, m] : remote_.working()["INBOX"])
        if (m.body == mail("a"))
            m.flags = seen;
    remote_.make_durable();
    std::string b_id;
    {
        sync::folder_scan s;
        ASSERT_FALSE(run(local_.scan("INBOX", s)));
        for (const auto& m : s.messages) {
            string_sink sink;
            ASSERT_FALSE(run(local_.read_message("INBOX", m.id, sink)));
            if (sink.data == mail("b"))
                b_id = m.id;
        }
    }
    auto b = local_entry("INBOX", b_id);
    ASSERT_FALSE(maildir_folder(dir("INBOX")).set_flags(b, flags_from_bits(flagged)));
    const auto r = pass();
    EXPECT_EQ(r.flagged[0], 1u);
    EXPECT_EQ(r.flagged[1], 1u);
    expect_in_sync();
    expect_second_pass_idle();
}

TEST_P(maildir_pass_test, deletions_go_both_ways) {
    remote_.add("INBOX", mail("keep"));
    remote_.add("INBOX", mail("gone on the server"));
    remote_.add("Archive", mail("gone locally"));
    pass();
    auto& inbox = remote_.working()["INBOX"];
    std::erase_if(inbox,
                  [](const auto& item) { return item.second.body == mail("gone on the server"); });
    remote_.make_durable();
    const auto archived = only_local_id("Archive");
    ASSERT_TRUE(fs::remove(local_entry("Archive", archived).path(dir("Archive"))));
    const auto r = pass();
    EXPECT_EQ(r.removed[0], 1u);
    EXPECT_EQ(r.removed[1], 1u);
    expect_in_sync();
    EXPECT_TRUE(remote_.durable().at("Archive").empty());
    expect_second_pass_idle();
}

TEST_P(maildir_pass_test, a_move_on_the_server_moves_the_local_file_keeping_its_inode) {
    remote_.add("INBOX", mail("to be filed"));
    pass();
    const auto id = only_local_id("INBOX");
    const auto inode = local_entry("INBOX", id).inode;
    const int reads = remote_.reads;
    auto& inbox = remote_.working()["INBOX"];
    auto node = inbox.extract(inbox.begin());
    node.key() = "900"; // the server's MOVE gives a new UID
    remote_.working()["Archive"].insert(std::move(node));
    remote_.make_durable();
    const auto r = pass();
    EXPECT_EQ(r.moved[1], 1u);
    EXPECT_EQ(r.copied[1], 0u);
    EXPECT_EQ(remote_.reads, reads) << "no download for a move";
    EXPECT_EQ(local_entry("Archive", id).inode, inode);
    expect_in_sync();
    expect_second_pass_idle();
}

TEST_P(maildir_pass_test, a_local_move_is_replayed_on_the_server) {
    remote_.add("INBOX", mail("filed in mutt"));
    pass();
    const auto id = only_local_id("INBOX");
    auto e = local_entry("INBOX", id);
    ASSERT_FALSE(maildir_folder(dir("INBOX")).move_to(e, maildir_folder(dir("Archive"))));
    const int reads = remote_.reads;
    const auto r = pass();
    EXPECT_EQ(r.moved[0], 1u);
    EXPECT_EQ(r.copied[0] + r.copied[1], 0u);
    EXPECT_EQ(remote_.reads, reads);
    expect_in_sync();
    expect_second_pass_idle();
}

TEST_P(maildir_pass_test, folders_with_dots_ampersands_and_non_ascii_names) {
    remote_.add("Reisen/Zürich", mail("z"));
    remote_.add("Tom & Jerry", mail("t"));
    remote_.add("v1.2", mail("v"));
    remote_.add("v1.2/sub.folder", mail("s"));
    const auto r = pass();
    EXPECT_EQ(r.folders_created[1], 6u); // with INBOX and Archive
    EXPECT_EQ(r.copied[1], 4u);
    expect_in_sync();
    EXPECT_TRUE(local_.layout().folder_exists("v1.2/sub.folder"));
    expect_second_pass_idle();
}

TEST_P(maildir_pass_test, a_message_delivered_but_not_recorded_is_linked_not_copied_again) {
    remote_.add("INBOX", mail("once"));
    pass();
    // As if the state's commit had been lost after the Maildir's: the state forgets everything.
    state_ = memory_state();
    const auto r = pass();
    EXPECT_EQ(r.copied[0] + r.copied[1], 0u);
    EXPECT_EQ(r.linked, 1u);
    expect_in_sync();
}

// The server renames a folder with its sub-folder (IMAP RENAME moves both): the Maildir
// follows without a transfer, its own rename having moved the sub-folder already.
TEST_P(maildir_pass_test, a_folder_renamed_with_its_sub_folder_on_the_server) {
    for (int i = 0; i < 3; ++i) {
        remote_.add("Projects", mail("p" + std::to_string(i)));
        remote_.add("Projects/Sub", mail("s" + std::to_string(i)));
    }
    remote_.add("INBOX", mail("keeps the account from looking empty"));
    pass();
    for (const std::string name : {"Projects", "Projects/Sub"}) {
        auto node = remote_.working().extract(name);
        node.key() = "Archive/" + name;
        remote_.working().insert(std::move(node));
    }
    remote_.make_durable();
    const int reads = remote_.reads;
    const auto r = pass();
    EXPECT_EQ(r.copied[0] + r.copied[1] + r.removed[0] + r.removed[1], 0u);
    EXPECT_EQ(remote_.reads, reads) << "no transfer for a rename";
    EXPECT_FALSE(local_.layout().folder_exists("Projects"));
    EXPECT_FALSE(local_.layout().folder_exists("Projects/Sub"));
    expect_in_sync();
    expect_second_pass_idle();
}

// Sets the mtimes of a folder's new/ and cur/ 10 s into the past: as if it had not changed
// since (a Maildir token needs mtimes older than the listing, folder_token.hpp).
void age_folder(const fs::path& folder_dir) {
    struct timespec now {};
    ::clock_gettime(CLOCK_REALTIME, &now);
    const struct timespec times[2] = {{0, UTIME_OMIT}, {now.tv_sec - 10, 123456789}};
    for (const char* sub : {"new", "cur"})
        ASSERT_EQ(::utimensat(AT_FDCWD, (folder_dir / sub).c_str(), times, 0), 0);
}

TEST_P(maildir_pass_test, a_settled_folder_is_not_listed_until_its_directories_change) {
    remote_.add("INBOX", mail("a"));
    remote_.add("INBOX", mail("b"), seen);
    pass();
    // Written just now: the pass waits out the mtimes' step, so its scan vouches for the folder.
    EXPECT_NE(state_.scan_token("INBOX", sync::side::local), "");
    age_folder(dir("INBOX"));
    expect_second_pass_idle(); // lists INBOX, whose mtimes now vouch for the records
    const auto token = state_.scan_token("INBOX", sync::side::local);
    ASSERT_FALSE(token.empty());

    // A file slipped in with the old mtimes put back is not seen: the folder is not listed.
    std::string b_id;
    {
        sync::folder_scan s;
        ASSERT_FALSE(run(local_.scan("INBOX", s)));
        for (const auto& m : s.messages) {
            string_sink sink;
            ASSERT_FALSE(run(local_.read_message("INBOX", m.id, sink)));
            if (sink.data == mail("b"))
                b_id = m.id;
        }
    }
    const auto entry_b = local_entry("INBOX", b_id);
    ASSERT_EQ(
        ::link(entry_b.path(dir("INBOX")).c_str(), (dir("INBOX") / "cur" / "hidden:2,S").c_str()),
        0);
    age_folder(dir("INBOX"));
    expect_second_pass_idle();
    ASSERT_EQ(::unlink((dir("INBOX") / "cur" / "hidden:2,S").c_str()), 0);
    age_folder(dir("INBOX"));

    // mutt flags "b": a rename, which gives cur/ a new mtime. The pass must list and see it.
    auto b = entry_b;
    ASSERT_FALSE(maildir_folder(dir("INBOX")).set_flags(b, flags_from_bits(seen | flagged)));
    const auto r = pass();
    EXPECT_EQ(r.flagged[0], 1u);
    expect_in_sync();
    EXPECT_NE(state_.scan_token("INBOX", sync::side::local), token);
}

INSTANTIATE_TEST_SUITE_P(layouts, maildir_pass_test,
                         ::testing::Values(layout_kind::maildir_plus_plus, layout_kind::verbatim),
                         maildir::testing::layout_name);

} // namespace
} // namespace postfach::maildir
