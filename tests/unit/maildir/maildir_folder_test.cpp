#include "maildir/folder_layout.hpp"
#include "maildir/maildir_errc.hpp"
#include "maildir/maildir_folder.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <algorithm>
#include <atomic>
#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <sys/stat.h>
#include <thread>

namespace fs = std::filesystem;

namespace postfach::maildir {
namespace {

class maildir_folder_test : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_FALSE(layout_.create_folder("INBOX"));
        ASSERT_FALSE(layout_.create_folder("Other"));
    }

    fs::path write(const std::string& rel, const std::string& content = "Subject: x\n\nbody\n") {
        const fs::path p = inbox_.dir() / rel;
        std::ofstream(p) << content;
        return p;
    }

    scan_result scan(const scan_hooks* hooks = nullptr) const {
        scan_result result;
        EXPECT_FALSE(inbox_.scan(result, scan_detail::full, hooks));
        return result;
    }

    static const message_entry* by_base(const scan_result& r, std::string_view base) {
        for (const auto& m : r.messages)
            if (m.base == base)
                return &m;
        return nullptr;
    }

    test::temp_dir tmp_;
    folder_layout layout_{tmp_.path(), layout_kind::maildir_plus_plus};
    maildir_folder inbox_{tmp_.path()};
    maildir_folder other_{tmp_.path() / ".Other"};
};

TEST_F(maildir_folder_test, scan_reports_entries_and_adopts_foreign_names) {
    write("new/1700000000.M1P1Q1.host", "12345");
    write("cur/written by mutt:2,RS");
    write("cur/dovecot,S=10,W=11:2,Sab");
    const auto r = scan();
    ASSERT_EQ(r.messages.size(), 3U);
    EXPECT_TRUE(r.complete);
    const auto* fresh = by_base(r, "1700000000.M1P1Q1.host");
    ASSERT_NE(fresh, nullptr);
    EXPECT_EQ(fresh->where, location::new_dir);
    EXPECT_EQ(fresh->size, 5U);
    EXPECT_TRUE(fresh->flags.empty());
    const auto* mutt = by_base(r, "written by mutt");
    ASSERT_NE(mutt, nullptr);
    EXPECT_EQ(mutt->where, location::cur_dir);
    EXPECT_EQ(mutt->flags, (flag_set{flag::answered, flag::seen}));
    const auto* dovecot = by_base(r, "dovecot,S=10,W=11");
    ASSERT_NE(dovecot, nullptr);
    EXPECT_EQ(dovecot->flags, flag_set{flag::seen});
}

TEST_F(maildir_folder_test, names_only_scan_sees_the_same_messages_without_stat) {
    write("new/fresh");
    write("cur/read:2,RS");
    write("cur/.dot");
    fs::create_directory(inbox_.dir() / "cur" / "somedir");
    scan_result full;
    scan_result quick;
    ASSERT_FALSE(inbox_.scan(full));
    ASSERT_FALSE(inbox_.scan(quick, scan_detail::names_only));
    ASSERT_EQ(quick.messages.size(), 2U);
    ASSERT_EQ(full.messages.size(), 2U);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(quick.messages[i].base, full.messages[i].base);
        EXPECT_EQ(quick.messages[i].file_name, full.messages[i].file_name);
        EXPECT_EQ(quick.messages[i].where, full.messages[i].where);
        EXPECT_EQ(quick.messages[i].flags, full.messages[i].flags);
        EXPECT_EQ(quick.messages[i].inode, full.messages[i].inode);
        EXPECT_EQ(quick.messages[i].size, 0U);
    }
    EXPECT_EQ(quick.ignored.size(), 2U);
}

TEST_F(maildir_folder_test, scan_ignores_dot_files_and_foreign_entries) {
    write("cur/.mutt-lock");
    write("new/.hidden:2,S");
    fs::create_directory(inbox_.dir() / "cur" / "somedir");
    fs::create_symlink("/etc/passwd", inbox_.dir() / "cur" / "link");
    write("cur/real:2,S");
    const auto r = scan();
    ASSERT_EQ(r.messages.size(), 1U);
    EXPECT_EQ(r.messages[0].base, "real");
    auto ignored = r.ignored;
    std::sort(ignored.begin(), ignored.end());
    EXPECT_EQ(ignored, (std::vector<std::string>{"cur/.mutt-lock", "cur/link", "cur/somedir",
                                                 "new/.hidden:2,S"}));
}

TEST_F(maildir_folder_test, scan_survives_renames_and_deletions_after_listing) {
    write("new/moved-to-cur");
    write("cur/reflagged:2,S");
    write("cur/deleted:2,");
    write("cur/untouched:2,F");
    scan_hooks hooks;
    hooks.after_listing = [&](int attempt) {
        if (attempt != 0)
            return;
        fs::rename(inbox_.dir() / "new/moved-to-cur", inbox_.dir() / "cur/moved-to-cur:2,S");
        fs::rename(inbox_.dir() / "cur/reflagged:2,S", inbox_.dir() / "cur/reflagged:2,RS");
        fs::remove(inbox_.dir() / "cur/deleted:2,");
    };
    const auto r = scan(&hooks);
    ASSERT_EQ(r.messages.size(), 3U);
    EXPECT_TRUE(r.complete);
    ASSERT_NE(by_base(r, "moved-to-cur"), nullptr);
    EXPECT_EQ(by_base(r, "moved-to-cur")->where, location::cur_dir);
    EXPECT_EQ(by_base(r, "moved-to-cur")->flags, flag_set{flag::seen});
    ASSERT_NE(by_base(r, "reflagged"), nullptr);
    EXPECT_EQ(by_base(r, "reflagged")->flags, (flag_set{flag::answered, flag::seen}));
    EXPECT_EQ(by_base(r, "deleted"), nullptr);
    EXPECT_NE(by_base(r, "untouched"), nullptr);
}

// A file renamed after the listing and renamed back before the stat of its new name (a reader
// setting a flag and clearing it) is neither under its old name nor its new one when the pass
// looks; the two listings agree, but the scan must not call a result without it complete.
TEST_F(maildir_folder_test, a_file_renamed_and_renamed_back_during_the_pass_is_not_lost) {
    write("cur/a:2,");
    write("cur/b:2,");
    scan_hooks hooks;
    hooks.after_listing = [&](int attempt) {
        if (attempt == 0)
            fs::rename(inbox_.dir() / "cur/a:2,", inbox_.dir() / "cur/a:2,S");
    };
    hooks.after_relisting = [&](int attempt) {
        if (attempt == 0)
            fs::rename(inbox_.dir() / "cur/a:2,S", inbox_.dir() / "cur/a:2,");
    };
    const auto r = scan(&hooks);
    EXPECT_TRUE(r.complete);
    ASSERT_EQ(r.messages.size(), 2U);
    EXPECT_EQ(r.messages[0].base, "a");
}

TEST_F(maildir_folder_test, scan_that_never_settles_says_it_is_incomplete) {
    write("cur/a:2,");
    scan_hooks hooks;
    int flips = 0;
    hooks.after_listing = [&](int) {
        const auto from = inbox_.dir() / (flips % 2 == 0 ? "cur/a:2," : "cur/a:2,S");
        const auto to = inbox_.dir() / (flips % 2 == 0 ? "cur/a:2,S" : "cur/a:2,");
        fs::rename(from, to);
        ++flips;
    };
    const auto r = scan(&hooks);
    EXPECT_FALSE(r.complete);
    ASSERT_EQ(r.messages.size(), 1U);
    EXPECT_EQ(r.messages[0].base, "a");
}

TEST_F(maildir_folder_test, concurrent_reader_renames_never_duplicate_or_lose_messages) {
    constexpr int count = 50;
    for (int i = 0; i < count; ++i)
        write("cur/m" + std::to_string(i) + ":2,");
    std::atomic<bool> stop{false};
    std::atomic<int> rounds{0};
    std::thread reader([&] {
        // Like mutt toggling \Seen on every message, over and over.
        for (int round = 0; !stop; round = ++rounds) {
            for (int i = 0; i < count && !stop; ++i) {
                const std::string base = inbox_.dir() / ("cur/m" + std::to_string(i));
                const bool odd = round % 2 != 0;
                std::rename((base + (odd ? ":2,S" : ":2,")).c_str(),
                            (base + (odd ? ":2," : ":2,S")).c_str());
            }
        }
    });
    // Scan only while the reader is busy renaming (waits at most until the deadline).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (rounds < 1 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    ASSERT_GE(rounds, 1);
    int complete_scans = 0;
    for (int i = 0; i < 100; ++i) {
        scan_result r;
        ASSERT_FALSE(inbox_.scan(r));
        std::set<std::string> bases;
        for (const auto& m : r.messages)
            EXPECT_TRUE(bases.insert(m.base).second) << m.base;
        if (r.complete) {
            ++complete_scans;
            EXPECT_EQ(r.messages.size(), static_cast<std::size_t>(count));
        }
    }
    stop = true;
    reader.join();
    RecordProperty("complete_scans", complete_scans);
    const auto settled = scan();
    EXPECT_TRUE(settled.complete);
    EXPECT_EQ(settled.messages.size(), static_cast<std::size_t>(count));
}

TEST_F(maildir_folder_test, set_flags_renames_and_moves_new_to_cur) {
    write("new/msg");
    auto r = scan();
    ASSERT_EQ(r.messages.size(), 1U);
    auto msg = r.messages[0];
    const auto inode = msg.inode;
    ASSERT_FALSE(inbox_.set_flags(msg, flag_set{}));
    EXPECT_EQ(msg.where, location::new_dir); // no flags: stays new
    ASSERT_FALSE(inbox_.set_flags(msg, flag_set{flag::seen, flag::flagged}));
    EXPECT_EQ(msg.where, location::cur_dir);
    EXPECT_EQ(msg.file_name, "msg:2,FS");
    EXPECT_TRUE(fs::exists(inbox_.dir() / "cur/msg:2,FS"));
    EXPECT_FALSE(fs::exists(inbox_.dir() / "new/msg"));
    ASSERT_FALSE(inbox_.set_flags(msg, flag_set{}));
    EXPECT_EQ(msg.where, location::cur_dir); // never back to new/
    EXPECT_EQ(msg.file_name, "msg:2,");
    r = scan();
    ASSERT_EQ(r.messages.size(), 1U);
    EXPECT_EQ(r.messages[0].inode, inode);
}

TEST_F(maildir_folder_test, set_flags_follows_a_reader_rename_and_keeps_its_keywords) {
    write("cur/msg:2,S");
    auto msg = scan().messages.at(0);
    // A reader renames the file behind our back, adding a Dovecot keyword and a tail.
    fs::rename(inbox_.dir() / "cur/msg:2,S", inbox_.dir() / "cur/msg:2,Sa,tail");
    ASSERT_FALSE(inbox_.set_flags(msg, flag_set{flag::seen, flag::answered}));
    EXPECT_EQ(msg.file_name, "msg:2,RSa,tail");
    EXPECT_TRUE(fs::exists(inbox_.dir() / "cur/msg:2,RSa,tail"));
    EXPECT_EQ(scan().messages.size(), 1U);
}

TEST_F(maildir_folder_test, set_flags_on_a_deleted_message_says_so) {
    write("cur/msg:2,S");
    auto msg = scan().messages.at(0);
    fs::remove(inbox_.dir() / "cur/msg:2,S");
    EXPECT_EQ(inbox_.set_flags(msg, flag_set{flag::flagged}), maildir_errc::message_not_found);
}

TEST_F(maildir_folder_test, remove_follows_renames_and_is_idempotent) {
    write("new/msg");
    auto msg = scan().messages.at(0);
    fs::rename(inbox_.dir() / "new/msg", inbox_.dir() / "cur/msg:2,S");
    ASSERT_FALSE(inbox_.remove(msg));
    EXPECT_TRUE(scan().messages.empty());
    EXPECT_FALSE(inbox_.remove(msg));
}

TEST_F(maildir_folder_test, move_between_folders_keeps_the_inode) {
    write("cur/msg:2,S", "the body\n");
    auto msg = scan().messages.at(0);
    const auto inode = msg.inode;
    ASSERT_FALSE(inbox_.move_to(msg, other_));
    EXPECT_TRUE(scan().messages.empty());
    scan_result moved;
    ASSERT_FALSE(other_.scan(moved));
    ASSERT_EQ(moved.messages.size(), 1U);
    EXPECT_EQ(moved.messages[0].inode, inode);
    EXPECT_EQ(moved.messages[0].flags, flag_set{flag::seen});
}

TEST_F(maildir_folder_test, move_never_overwrites) {
    write("cur/msg:2,S", "mine\n");
    std::ofstream(other_.dir() / "cur/msg:2,S") << "theirs\n";
    auto msg = scan().messages.at(0);
    EXPECT_EQ(inbox_.move_to(msg, other_), maildir_errc::name_collision);
    EXPECT_EQ(scan().messages.size(), 1U);
}

TEST_F(maildir_folder_test, stale_tmp_files_are_removed_after_36_hours) {
    const auto now = std::chrono::system_clock::now();
    const auto old = write("tmp/old");
    write("tmp/recent");
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(
        (now - std::chrono::hours(37)).time_since_epoch());
    const struct timespec times[2] = {{secs.count(), 0}, {secs.count(), 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, old.c_str(), times, 0), 0);
    std::size_t removed = 0;
    ASSERT_FALSE(inbox_.remove_stale_tmp(now, removed));
    EXPECT_EQ(removed, 1U);
    EXPECT_FALSE(fs::exists(old));
    EXPECT_TRUE(fs::exists(inbox_.dir() / "tmp/recent"));
}

} // namespace
} // namespace postfach::maildir
