// maildir_store on temporary directories, both layouts: the store operations one by one, as
// the sync engine calls them.

#include "maildir/file_name.hpp"
#include "maildir/maildir_errc.hpp"
#include "maildir/maildir_store.hpp"
#include "sync/message_identity.hpp"
#include "tests/unit/maildir/layout_param.hpp"
#include "tests/unit/support/temp_dir.hpp"
#include "tests/unit/sync/pass_helpers.hpp"

#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <sstream>
#include <sys/stat.h>

namespace fs = std::filesystem;

namespace postfach::maildir {
namespace {

using namespace sync::flag_bit; // draft, flagged, forwarded, answered, seen, deleted

template <typename T>
T run(sync::task<T> t) {
    return sync::testing::run_task(std::move(t));
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

using sync::testing::string_sink;

const std::string wire_message = "Message-ID: <1@example.org>\r\n"
                                 "Subject: hello\r\n"
                                 "\r\n"
                                 "first line\r\n"
                                 "second line\r\n";

class maildir_store_test : public ::testing::TestWithParam<layout_kind> {
protected:
    void SetUp() override {
        ASSERT_FALSE(run(store_.create_folder("INBOX")));
        ASSERT_FALSE(run(store_.create_folder("Archive")));
    }

    // Writes a message in two chunks; returns the new id.
    std::string write(const std::string& folder, const std::string& wire,
                      sync::flag_bits flags = 0) {
        sync::new_message m;
        m.folder = folder;
        m.flags = flags;
        m.size = wire.size();
        std::string id;
        auto produce = [&](sync::message_sink& sink) -> sync::task<std::error_code> {
            const auto half = wire.size() / 2;
            if (auto ec = co_await sink.write(std::string_view(wire).substr(0, half)))
                co_return ec;
            co_return co_await sink.write(std::string_view(wire).substr(half));
        };
        EXPECT_FALSE(run(store_.write_message(m, produce, id)));
        return id;
    }

    sync::folder_scan scan(const std::string& folder) {
        sync::folder_scan s;
        EXPECT_FALSE(run(store_.scan(folder, s)));
        return s;
    }

    fs::path dir(const std::string& folder) {
        std::error_code ec;
        return store_.layout().folder_dir(folder, ec);
    }

    // The file of a message as a scan of the folder finds it.
    message_entry entry(const std::string& folder, const std::string& id) {
        message_entry e;
        EXPECT_FALSE(maildir_folder(dir(folder)).find(id, e));
        return e;
    }

    test::temp_dir tmp_;
    maildir_store store_{folder_layout(tmp_.path() / "mail", GetParam())};
};

TEST_P(maildir_store_test, a_written_message_appears_at_commit_with_its_flags) {
    const auto id = write("INBOX", wire_message, seen | flagged);
    EXPECT_TRUE(scan("INBOX").messages.empty()) << "nothing in new/ or cur/ before the commit";
    ASSERT_FALSE(run(store_.commit()));
    const auto s = scan("INBOX");
    ASSERT_EQ(s.messages.size(), 1u);
    EXPECT_EQ(s.messages[0].id, id);
    EXPECT_EQ(s.messages[0].flags, seen | flagged);
    EXPECT_EQ(s.epoch, "");
    const auto e = entry("INBOX", id);
    EXPECT_EQ(e.file_name, id + ":2,FS");
    EXPECT_EQ(read_file(e.path(dir("INBOX"))),
              "Message-ID: <1@example.org>\nSubject: hello\n\nfirst line\nsecond line\n")
        << "stored with LF line endings";
}

TEST_P(maildir_store_test, a_message_without_flags_goes_to_new) {
    const auto id = write("INBOX", wire_message);
    ASSERT_FALSE(run(store_.commit()));
    EXPECT_EQ(entry("INBOX", id).where, location::new_dir);
}

TEST_P(maildir_store_test, read_message_gives_the_wire_bytes_and_message_size_their_count) {
    const auto id = write("INBOX", wire_message);
    ASSERT_FALSE(run(store_.commit()));
    std::uint64_t size = 0;
    ASSERT_FALSE(run(store_.message_size("INBOX", id, size)));
    EXPECT_EQ(size, wire_message.size());
    string_sink sink;
    ASSERT_FALSE(run(store_.read_message("INBOX", id, sink)));
    EXPECT_EQ(sink.data, wire_message);
}

TEST_P(maildir_store_test, a_big_message_streams_in_several_chunks) {
    std::string wire = "Subject: big\r\n\r\n";
    while (wire.size() < 300 * 1024)
        wire += "a line of the body that goes on for a while\r\n";
    const auto id = write("INBOX", wire);
    ASSERT_FALSE(run(store_.commit()));
    string_sink sink;
    ASSERT_FALSE(run(store_.read_message("INBOX", id, sink)));
    EXPECT_EQ(sink.data, wire);
    EXPECT_GT(sink.chunks, 1);
}

TEST_P(maildir_store_test, a_write_with_the_wrong_size_fails_and_leaves_nothing) {
    sync::new_message m;
    m.folder = "INBOX";
    m.size = wire_message.size() + 1; // the producer stops short: a broken download
    auto produce = [&](sync::message_sink& sink) -> sync::task<std::error_code> {
        co_return co_await sink.write(wire_message);
    };
    std::string id;
    EXPECT_TRUE(run(store_.write_message(m, produce, id)));
    EXPECT_FALSE(run(store_.commit()));
    EXPECT_TRUE(scan("INBOX").messages.empty());
    EXPECT_TRUE(fs::is_empty(dir("INBOX") / "tmp"));
}

// A small message is written to tmp/ by the worker thread after finish() returned: a failure
// there cannot be returned by finish(), so the next commit reports it (the pass then records
// nothing of that commit) and the message is not delivered.
TEST_P(maildir_store_test, a_failed_write_on_the_worker_fails_the_next_commit) {
    write("INBOX", wire_message);
    ASSERT_FALSE(run(store_.commit()));
    fs::remove_all(dir("Archive") / "tmp"); // the worker's open of the tmp file fails
    const auto id = write("Archive", wire_message);
    EXPECT_FALSE(id.empty()) << "finish() succeeds: the file is written later";
    EXPECT_EQ(run(store_.commit()), std::make_error_code(std::errc::no_such_file_or_directory));
    fs::create_directory(dir("Archive") / "tmp");
    EXPECT_TRUE(scan("Archive").messages.empty());
    EXPECT_EQ(scan("INBOX").messages.size(), 1u);
    // Reported once: the commit after it is clean again.
    write("Archive", wire_message);
    EXPECT_FALSE(run(store_.commit()));
    EXPECT_EQ(scan("Archive").messages.size(), 1u);
}

// Deferred writes wait for the worker past max_queued_bytes: many messages, all delivered.
TEST_P(maildir_store_test, many_small_messages_are_all_delivered) {
    std::string wire = "Subject: filler\r\n\r\n";
    while (wire.size() < 100 * 1024)
        wire += "a line of the body that goes on for a while\r\n";
    std::set<std::string> ids;
    for (int i = 0; i < 40; ++i) // 4 MB: twice the limit of bytes queued
        ids.insert(write("INBOX", wire));
    ASSERT_FALSE(run(store_.commit()));
    const auto s = scan("INBOX");
    ASSERT_EQ(s.messages.size(), ids.size());
    for (const auto& m : s.messages)
        EXPECT_TRUE(ids.contains(m.id));
    string_sink sink;
    ASSERT_FALSE(run(store_.read_message("INBOX", *ids.begin(), sink)));
    EXPECT_EQ(sink.data, wire);
    EXPECT_TRUE(fs::is_empty(dir("INBOX") / "tmp"));
}

TEST_P(maildir_store_test, identify_matches_the_identity_of_the_wire_form) {
    const auto id = write("INBOX", wire_message);
    ASSERT_FALSE(run(store_.commit()));
    auto s = scan("INBOX");
    std::vector<sync::scanned_message*> unknown{&s.messages[0]};
    ASSERT_FALSE(run(store_.identify("INBOX", unknown)));
    const auto header = wire_message.substr(0, wire_message.find("\r\n\r\n") + 4);
    EXPECT_EQ(s.messages[0].identity, sync::make_identity(wire_message.size(), header));
}

TEST_P(maildir_store_test, set_flags_renames_and_keeps_letters_it_does_not_know) {
    const auto id = write("INBOX", wire_message, seen);
    ASSERT_FALSE(run(store_.commit()));
    // A Dovecot keyword letter written by another program.
    const auto before = entry("INBOX", id);
    ASSERT_EQ(::rename(before.path(dir("INBOX")).c_str(),
                       (dir("INBOX") / "cur" / (id + ":2,Sa")).c_str()),
              0);
    scan("INBOX");
    ASSERT_FALSE(run(store_.set_flags("INBOX", id, answered | flagged, seen)));
    ASSERT_FALSE(run(store_.commit()));
    const auto after = entry("INBOX", id);
    EXPECT_EQ(after.file_name, id + ":2,FRa");
    EXPECT_EQ(after.inode, before.inode);
    EXPECT_EQ(scan("INBOX").messages.at(0).flags, answered | flagged);
}

TEST_P(maildir_store_test, set_flags_follows_a_rename_by_a_reader) {
    const auto id = write("INBOX", wire_message);
    ASSERT_FALSE(run(store_.commit()));
    scan("INBOX"); // the store remembers new/<id>
    ASSERT_EQ(::rename((dir("INBOX") / "new" / id).c_str(),
                       (dir("INBOX") / "cur" / (id + ":2,S")).c_str()),
              0); // mutt read it
    ASSERT_FALSE(run(store_.set_flags("INBOX", id, flagged, 0)));
    EXPECT_EQ(entry("INBOX", id).file_name, id + ":2,FS");
}

// set_flags_from() on a folder not cached tries the name the scan's flags give: right, it
// renames that file; wrong (a name with a keyword letter, a reader's change since), it finds the
// file by listing, and a flag a reader set since the scan stays.
TEST_P(maildir_store_test, set_flags_from_the_scanned_flags_finds_the_file_either_way) {
    const auto usual = write("INBOX", wire_message, seen);
    const auto unusual = write("INBOX", wire_message, seen);
    const auto read_since = write("INBOX", wire_message);
    const auto emptied = write("INBOX", wire_message, flagged);
    ASSERT_FALSE(run(store_.commit()));
    ASSERT_FALSE(run(store_.set_flags("INBOX", emptied, 0, flagged))); // stays in cur/
    const auto before = entry("INBOX", unusual);
    ASSERT_EQ(::rename(before.path(dir("INBOX")).c_str(),
                       (dir("INBOX") / "cur" / (unusual + ":2,Sa")).c_str()),
              0); // a Dovecot keyword letter
    scan("INBOX");
    ASSERT_EQ(::rename(entry("INBOX", read_since).path(dir("INBOX")).c_str(),
                       (dir("INBOX") / "cur" / (read_since + ":2,S")).c_str()),
              0);    // mutt read it after the scan
    scan("Archive"); // INBOX is not cached any more
    ASSERT_FALSE(run(store_.set_flags_from("INBOX", usual, seen, flagged, 0)));
    ASSERT_FALSE(run(store_.set_flags_from("INBOX", unusual, seen, flagged, 0)));
    ASSERT_FALSE(run(store_.set_flags_from("INBOX", read_since, 0, flagged, 0)));
    ASSERT_FALSE(run(store_.set_flags_from("INBOX", emptied, 0, seen, 0)));
    ASSERT_FALSE(run(store_.commit()));
    EXPECT_EQ(entry("INBOX", usual).file_name, usual + ":2,FS");
    EXPECT_EQ(entry("INBOX", unusual).file_name, unusual + ":2,FSa");
    EXPECT_EQ(entry("INBOX", unusual).inode, before.inode);
    EXPECT_EQ(entry("INBOX", read_since).file_name, read_since + ":2,FS");
    EXPECT_EQ(entry("INBOX", emptied).file_name, emptied + ":2,S");
    EXPECT_EQ(scan("INBOX").messages.size(), 4u);
}

// rescan() lists once and vouches as scan() does: same messages, and a token once the folder's
// times have settled.
TEST_P(maildir_store_test, rescan_finds_what_scan_finds) {
    write("INBOX", wire_message, seen);
    write("INBOX", wire_message);
    ASSERT_FALSE(run(store_.commit()));
    ASSERT_TRUE(store_.token_possible("INBOX"));
    sync::folder_scan again;
    ASSERT_FALSE(run(store_.rescan("INBOX", again)));
    const auto full = scan("INBOX");
    ASSERT_EQ(again.messages.size(), full.messages.size());
    for (std::size_t i = 0; i < full.messages.size(); ++i) {
        EXPECT_EQ(again.messages[i].id, full.messages[i].id);
        EXPECT_EQ(again.messages[i].flags, full.messages[i].flags);
    }
    EXPECT_NE(again.token, "") << "token_possible() waited out the mtimes' step";
}

// The store caches the entries of one folder at a time (the one scanned last): a folder
// scanned before another is listed again for its operations, unusual file names included.
TEST_P(maildir_store_test, operations_on_a_folder_scanned_before_another_find_their_files) {
    const auto kept = write("INBOX", wire_message, seen);
    const auto plain = write("INBOX", wire_message);
    const auto other = write("Archive", wire_message);
    ASSERT_FALSE(run(store_.commit()));
    const auto before = entry("INBOX", kept);
    ASSERT_EQ(::rename(before.path(dir("INBOX")).c_str(),
                       (dir("INBOX") / "cur" / (kept + ":2,Sa")).c_str()),
              0); // a Dovecot keyword letter
    scan("INBOX");
    scan("Archive");
    ASSERT_FALSE(run(store_.set_flags("INBOX", kept, flagged, 0)));
    string_sink sink;
    ASSERT_FALSE(run(store_.read_message("INBOX", plain, sink)));
    EXPECT_EQ(sink.data, wire_message);
    ASSERT_FALSE(run(store_.set_flags("Archive", other, seen, 0)));
    ASSERT_FALSE(run(store_.remove_message("INBOX", plain)));
    ASSERT_FALSE(run(store_.commit()));
    EXPECT_EQ(entry("INBOX", kept).file_name, kept + ":2,FSa");
    EXPECT_EQ(entry("INBOX", kept).inode, before.inode);
    EXPECT_EQ(entry("Archive", other).file_name, other + ":2,S");
    EXPECT_EQ(scan("INBOX").messages.size(), 1u);
}

TEST_P(maildir_store_test, remove_deletes_and_a_message_already_gone_is_no_error) {
    const auto id = write("INBOX", wire_message);
    ASSERT_FALSE(run(store_.commit()));
    scan("INBOX");
    ASSERT_FALSE(run(store_.remove_message("INBOX", id)));
    ASSERT_FALSE(run(store_.commit()));
    EXPECT_TRUE(scan("INBOX").messages.empty());
    EXPECT_FALSE(run(store_.remove_message("INBOX", id)));
}

TEST_P(maildir_store_test, move_keeps_the_inode_and_the_base_name) {
    const auto id = write("INBOX", wire_message, seen);
    ASSERT_FALSE(run(store_.commit()));
    const auto inode = entry("INBOX", id).inode;
    std::string new_id;
    ASSERT_FALSE(run(store_.move_message("INBOX", id, "Archive", new_id)));
    ASSERT_FALSE(run(store_.commit()));
    EXPECT_EQ(new_id, id);
    EXPECT_TRUE(scan("INBOX").messages.empty());
    const auto moved = entry("Archive", id);
    EXPECT_EQ(moved.inode, inode);
    EXPECT_EQ(moved.flags.bits(), seen);
}

TEST_P(maildir_store_test, folder_names_with_dots_ampersands_and_umlauts_round_trip) {
    const std::vector<std::string> names{"a.b", "Tom & Jerry", "Reisen/Zürich", "Reisen/2024.x"};
    for (const auto& n : names)
        ASSERT_FALSE(run(store_.create_folder(n))) << n;
    std::vector<sync::folder_info> listed;
    ASSERT_FALSE(run(store_.list_folders(listed)));
    std::set<std::string> got;
    for (const auto& f : listed)
        got.insert(f.name);
    for (const auto& n : names)
        EXPECT_TRUE(got.contains(n)) << n;
    write("Reisen/Zürich", wire_message);
    ASSERT_FALSE(run(store_.commit()));
    EXPECT_EQ(scan("Reisen/Zürich").messages.size(), 1u);
}

TEST_P(maildir_store_test, delete_folder_refuses_while_messages_remain) {
    ASSERT_FALSE(run(store_.create_folder("Old")));
    const auto id = write("Old", wire_message);
    ASSERT_FALSE(run(store_.commit()));
    EXPECT_EQ(run(store_.delete_folder("Old")), make_error_code(maildir_errc::folder_not_empty));
    ASSERT_FALSE(run(store_.remove_message("Old", id)));
    ASSERT_FALSE(run(store_.commit()));
    EXPECT_FALSE(run(store_.delete_folder("Old")));
    EXPECT_FALSE(store_.layout().folder_exists("Old"));
}

TEST_P(maildir_store_test, rename_folder_keeps_the_message_ids) {
    ASSERT_FALSE(run(store_.create_folder("Projects")));
    const auto id = write("Projects", wire_message);
    ASSERT_FALSE(run(store_.commit()));
    scan("Projects");
    ASSERT_FALSE(run(store_.rename_folder("Projects", "Archive/Projects")));
    const auto s = scan("Archive/Projects");
    ASSERT_EQ(s.messages.size(), 1u);
    EXPECT_EQ(s.messages[0].id, id);
    ASSERT_FALSE(run(store_.set_flags("Archive/Projects", id, seen, 0)));
}

TEST_P(maildir_store_test, renaming_a_sub_folder_its_parent_moved_already_succeeds) {
    ASSERT_FALSE(run(store_.create_folder("Projects")));
    ASSERT_FALSE(run(store_.create_folder("Projects/Sub")));
    ASSERT_FALSE(run(store_.rename_folder("Projects", "Old")));
    EXPECT_TRUE(store_.layout().folder_exists("Old/Sub"));
    EXPECT_FALSE(run(store_.rename_folder("Projects/Sub", "Old/Sub")));
    EXPECT_EQ(run(store_.rename_folder("Nowhere", "Elsewhere")),
              make_error_code(maildir_errc::folder_not_found));
}

TEST_P(maildir_store_test, a_scan_that_never_got_a_stable_listing_is_an_error) {
    const auto id = write("INBOX", wire_message);
    ASSERT_FALSE(run(store_.commit()));
    // A reader renames the message during every attempt.
    int renames = 0;
    scan_hooks hooks;
    hooks.after_listing = [&](int) {
        const auto e = entry("INBOX", id);
        const auto target = dir("INBOX") / "cur" / (id + (renames % 2 ? ":2,S" : ":2,F"));
        ASSERT_EQ(::rename(e.path(dir("INBOX")).c_str(), target.c_str()), 0);
        ++renames;
    };
    store_.set_scan_hooks(hooks);
    sync::folder_scan s;
    EXPECT_EQ(run(store_.scan("INBOX", s)), make_error_code(maildir_errc::scan_incomplete));
    EXPECT_GT(renames, 1);
    store_.set_scan_hooks({});
    EXPECT_EQ(scan("INBOX").messages.size(), 1u);
}

TEST_P(maildir_store_test, a_commit_interrupted_before_the_renames_delivers_nothing) {
    write("INBOX", wire_message);
    commit_hooks crash;
    crash.stop_after_steps = 1; // after the file's fsync, before its rename
    store_.set_commit_hooks(crash);
    EXPECT_EQ(run(store_.commit()), make_error_code(maildir_errc::commit_interrupted));
    EXPECT_TRUE(scan("INBOX").messages.empty());
}

TEST_P(maildir_store_test, operations_on_a_missing_folder_fail) {
    sync::folder_scan s;
    EXPECT_EQ(run(store_.scan("Nowhere", s)), make_error_code(maildir_errc::folder_not_found));
    std::uint64_t size = 0;
    EXPECT_TRUE(run(store_.message_size("INBOX", "no-such-id", size)));
}

// Sets the mtimes of new/ and cur/ `seconds_ago` into the past (nanoseconds not 0), as if
// the folder had not changed since.
void age_folder(const fs::path& folder_dir, int seconds_ago) {
    struct timespec now {};
    ::clock_gettime(CLOCK_REALTIME, &now);
    const struct timespec times[2] = {{0, UTIME_OMIT}, {now.tv_sec - seconds_ago, 123456789}};
    for (const char* sub : {"new", "cur"})
        ASSERT_EQ(::utimensat(AT_FDCWD, (folder_dir / sub).c_str(), times, 0), 0);
}

TEST_P(maildir_store_test, a_scan_gives_a_token_only_for_a_folder_that_settled) {
    write("INBOX", wire_message, seen);
    ASSERT_FALSE(run(store_.commit()));
    // Stamped later than the clock's reading (as within the current tick, without the race of
    // a loaded machine passing the tick before the scan): a change then could hide.
    age_folder(dir("INBOX"), -1);
    EXPECT_EQ(scan("INBOX").token, "") << "not settled: a change in the same tick could hide";
    age_folder(dir("INBOX"), 10);
    const auto token = scan("INBOX").token;
    EXPECT_FALSE(token.empty());
    bool unchanged = false;
    ASSERT_FALSE(run(store_.unchanged_since("INBOX", "", token, unchanged)));
    EXPECT_TRUE(unchanged);
}

TEST_P(maildir_store_test, any_change_to_the_folder_voids_its_token) {
    const auto id = write("INBOX", wire_message);
    ASSERT_FALSE(run(store_.commit()));
    age_folder(dir("INBOX"), 10);
    const auto token = scan("INBOX").token;
    ASSERT_FALSE(token.empty());
    // A reader reads the message: new/ -> cur/.
    ASSERT_EQ(::rename((dir("INBOX") / "new" / id).c_str(),
                       (dir("INBOX") / "cur" / (id + ":2,S")).c_str()),
              0);
    bool unchanged = true;
    ASSERT_FALSE(run(store_.unchanged_since("INBOX", "", token, unchanged)));
    EXPECT_FALSE(unchanged);
    // scan_since lists the folder again and sees the change.
    sync::scan_base base{"", token, {{id, 0, ""}}};
    sync::folder_scan s;
    ASSERT_FALSE(run(store_.scan_since("INBOX", base, s)));
    ASSERT_EQ(s.messages.size(), 1u);
    EXPECT_EQ(s.messages[0].flags, seen);
    // No token, an epoch, another folder's token: never unchanged.
    for (const auto& [epoch, t] : {std::pair<std::string, std::string>{"", ""}, {"7", token}}) {
        ASSERT_FALSE(run(store_.unchanged_since("INBOX", epoch, t, unchanged)));
        EXPECT_FALSE(unchanged) << epoch << " " << t;
    }
}

TEST_P(maildir_store_test, scan_since_an_unchanged_token_needs_no_listing_and_finds_the_files) {
    const auto id = write("INBOX", wire_message, seen);
    const auto unflagged = write("INBOX", wire_message);
    ASSERT_FALSE(run(store_.commit()));
    age_folder(dir("INBOX"), 10);
    const auto token = scan("INBOX").token;
    ASSERT_FALSE(token.empty());
    maildir_store fresh{folder_layout(tmp_.path() / "mail", GetParam())}; // a new process
    sync::scan_base base{"", token, {{id, seen, ""}, {unflagged, 0, ""}}};
    sync::folder_scan s;
    ASSERT_FALSE(run(fresh.scan_since("INBOX", base, s)));
    EXPECT_EQ(s.token, token);
    ASSERT_EQ(s.messages.size(), 2u);
    // The operations find the files by the names the base implies.
    ASSERT_FALSE(run(fresh.set_flags("INBOX", id, flagged, 0)));
    ASSERT_FALSE(run(fresh.set_flags("INBOX", unflagged, answered, 0)));
    ASSERT_FALSE(run(fresh.commit()));
    EXPECT_EQ(entry("INBOX", id).file_name, id + ":2,FS");
    EXPECT_EQ(entry("INBOX", unflagged).file_name, unflagged + ":2,R");
}

// The access time of a directory: a listing sets it (relatime: when it is older than the
// mtime), a lookup or rename of one name does not.
struct timespec listed_at(const fs::path& d) {
    struct stat st {};
    EXPECT_EQ(::stat(d.c_str(), &st), 0);
    return st.st_atim;
}

TEST_P(maildir_store_test, a_flagless_message_moved_to_cur_is_found_without_a_listing) {
    const auto id = write("INBOX", wire_message);
    ASSERT_FALSE(run(store_.commit()));
    // A reader (or our own removal of its last flag) moved it to cur/ with no flags.
    ASSERT_EQ(::rename((dir("INBOX") / "new" / id).c_str(),
                       (dir("INBOX") / "cur" / (id + ":2,")).c_str()),
              0);
    age_folder(dir("INBOX"), 10);
    const auto token = scan("INBOX").token;
    ASSERT_FALSE(token.empty());
    // Access times older than the mtimes: a listing would set them now.
    const struct timespec old_access[2] = {{1000000000, 0}, {0, UTIME_OMIT}};
    for (const char* sub : {"new", "cur"})
        ASSERT_EQ(::utimensat(AT_FDCWD, (dir("INBOX") / sub).c_str(), old_access, 0), 0);
    maildir_store fresh{folder_layout(tmp_.path() / "mail", GetParam())}; // a new process
    sync::scan_base base{"", token, {{id, 0, ""}}}; // no flags: the base implies new/
    sync::folder_scan s;
    ASSERT_FALSE(run(fresh.scan_since("INBOX", base, s)));
    ASSERT_FALSE(run(fresh.set_flags("INBOX", id, flagged, 0)));
    ASSERT_FALSE(run(fresh.commit()));
    for (const char* sub : {"new", "cur"})
        EXPECT_EQ(listed_at(dir("INBOX") / sub).tv_sec, 1000000000) << sub << " was listed";
    EXPECT_EQ(entry("INBOX", id).file_name, id + ":2,F");
}

INSTANTIATE_TEST_SUITE_P(layouts, maildir_store_test,
                         ::testing::Values(layout_kind::maildir_plus_plus, layout_kind::verbatim),
                         maildir::testing::layout_name);

} // namespace
} // namespace postfach::maildir
