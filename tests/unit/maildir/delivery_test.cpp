#include "maildir/delivery.hpp"
#include "maildir/folder_layout.hpp"
#include "maildir/maildir_errc.hpp"
#include "maildir/maildir_folder.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <sstream>
#include <sys/stat.h>

namespace fs = std::filesystem;

namespace postfach::maildir {
namespace {

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

delivery_options with_flags(flag_set flags) {
    delivery_options o;
    o.flags = flags;
    return o;
}

std::size_t count_files(const fs::path& dir) {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        (void)e;
        ++n;
    }
    return n;
}

class delivery_test : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_FALSE(layout_.create_folder("INBOX"));
        ASSERT_FALSE(layout_.create_folder("Other"));
    }

    // Opens, appends in two chunks, finishes.
    delivery deliver(const fs::path& folder, std::string_view wire, delivery_options options = {}) {
        delivery d;
        EXPECT_FALSE(delivery::open(folder, options, names_, d));
        const auto half = wire.size() / 2;
        EXPECT_FALSE(d.append(wire.substr(0, half)));
        EXPECT_FALSE(d.append(wire.substr(half)));
        EXPECT_FALSE(d.finish());
        return d;
    }

    scan_result scan(const fs::path& folder) {
        scan_result r;
        EXPECT_FALSE(maildir_folder(folder).scan(r));
        return r;
    }

    test::temp_dir tmp_;
    folder_layout layout_{tmp_.path(), layout_kind::maildir_plus_plus};
    fs::path inbox_ = tmp_.path();
    fs::path other_ = tmp_.path() / ".Other";
    unique_name_generator names_;
};

TEST_F(delivery_test, unseen_goes_to_new_seen_to_cur_with_lf_endings) {
    delivery_batch batch;
    ASSERT_FALSE(batch.add(deliver(inbox_, "Subject: one\r\n\r\nbody\r\n")));
    ASSERT_FALSE(batch.add(
        deliver(other_, "Subject: two\r\n\r\nx\r\n", with_flags({flag::seen, flag::flagged}))));
    EXPECT_EQ(batch.commit_steps(), 6U); // 2 fsyncs, 2 renames, 2 directories
    std::vector<delivered_message> done;
    ASSERT_FALSE(batch.commit(done));
    EXPECT_TRUE(batch.empty());
    ASSERT_EQ(done.size(), 2U);

    EXPECT_EQ(done[0].entry.where, location::new_dir);
    EXPECT_EQ(done[0].entry.file_name, done[0].entry.base);
    EXPECT_EQ(read_file(done[0].entry.path(inbox_)), "Subject: one\n\nbody\n");
    EXPECT_EQ(done[0].entry.size, 19U);

    EXPECT_EQ(done[1].entry.where, location::cur_dir);
    EXPECT_EQ(done[1].entry.file_name, done[1].entry.base + ":2,FS");
    EXPECT_EQ(read_file(done[1].entry.path(other_)), "Subject: two\n\nx\n");

    // What a scan sees is what commit reported.
    const auto scanned = scan(inbox_);
    ASSERT_EQ(scanned.messages.size(), 1U);
    EXPECT_EQ(scanned.messages[0].inode, done[0].entry.inode);
    EXPECT_EQ(scanned.messages[0].size, done[0].entry.size);
    EXPECT_EQ(count_files(inbox_ / "tmp"), 0U);

    struct stat st {};
    ASSERT_EQ(::stat(done[0].entry.path(inbox_).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);
}

TEST_F(delivery_test, large_message_in_small_chunks_with_split_crlf) {
    std::string wire;
    for (int i = 0; i < 20000; ++i)
        wire += "line " + std::to_string(i) + "\r\n";
    delivery d;
    ASSERT_FALSE(delivery::open(inbox_, {}, names_, d));
    for (std::size_t pos = 0; pos < wire.size(); pos += 7)
        ASSERT_FALSE(d.append(std::string_view(wire).substr(pos, 7)));
    ASSERT_FALSE(d.finish());
    delivery_batch batch;
    ASSERT_FALSE(batch.add(std::move(d)));
    std::vector<delivered_message> done;
    ASSERT_FALSE(batch.commit(done));
    ASSERT_EQ(done.size(), 1U);
    std::string expected = wire;
    std::erase(expected, '\r');
    EXPECT_EQ(read_file(done[0].entry.path(inbox_)), expected);
    EXPECT_EQ(done[0].entry.size, expected.size());
}

TEST_F(delivery_test, raw_bytes_are_kept_when_not_from_the_wire) {
    delivery_batch batch;
    delivery_options raw;
    raw.from_wire = false;
    ASSERT_FALSE(batch.add(deliver(inbox_, "a\r\nb\n", raw)));
    std::vector<delivered_message> done;
    ASSERT_FALSE(batch.commit(done));
    EXPECT_EQ(read_file(done.at(0).entry.path(inbox_)), "a\r\nb\n");
}

TEST_F(delivery_test, internal_date_becomes_the_mtime) {
    const auto date = std::chrono::system_clock::time_point(std::chrono::seconds(1'000'000'000));
    delivery_batch batch;
    delivery_options dated;
    dated.internal_date = date;
    ASSERT_FALSE(batch.add(deliver(inbox_, "x\r\n", dated)));
    std::vector<delivered_message> done;
    ASSERT_FALSE(batch.commit(done));
    EXPECT_EQ(done.at(0).entry.mtime, date);
    EXPECT_EQ(scan(inbox_).messages.at(0).mtime, date);
}

TEST_F(delivery_test, misuse_is_refused_and_abandoned_deliveries_leave_nothing) {
    {
        delivery d;
        ASSERT_FALSE(delivery::open(inbox_, {}, names_, d));
        ASSERT_FALSE(d.append("partial"));
        EXPECT_EQ(count_files(inbox_ / "tmp"), 1U);
        delivery_batch batch;
        EXPECT_EQ(batch.add(std::move(d)), maildir_errc::bad_delivery_state);
        EXPECT_TRUE(batch.empty());
    }
    EXPECT_EQ(count_files(inbox_ / "tmp"), 0U);
    {
        auto d = deliver(inbox_, "x");
        EXPECT_EQ(d.append("more"), maildir_errc::bad_delivery_state);
        EXPECT_EQ(d.finish(), maildir_errc::bad_delivery_state);
        delivery_batch batch;
        ASSERT_FALSE(batch.add(std::move(d)));
    } // a batch dropped without commit removes its files
    EXPECT_EQ(count_files(inbox_ / "tmp"), 0U);
    EXPECT_TRUE(scan(inbox_).messages.empty());
}

TEST_F(delivery_test, a_failed_rename_spoils_only_its_own_message) {
    delivery_batch batch;
    ASSERT_FALSE(batch.add(deliver(inbox_, "Subject: fine\r\n\r\n")));
    ASSERT_FALSE(batch.add(deliver(other_, "Subject: doomed\r\n\r\n", with_flags({flag::seen}))));
    fs::remove(other_ / "cur"); // a reader broke the folder between delivery and commit
    std::vector<delivered_message> done;
    EXPECT_EQ(batch.commit(done), std::errc::no_such_file_or_directory);
    ASSERT_EQ(done.size(), 1U) << "the other message is still durable and reported";
    EXPECT_EQ(done[0].folder_dir, inbox_);
    EXPECT_EQ(scan(inbox_).messages.size(), 1U);
    EXPECT_EQ(count_files(other_ / "tmp"), 0U) << "the failed message's tmp file is removed";
    EXPECT_TRUE(batch.empty());
}

TEST_F(delivery_test, missing_folder_is_an_error) {
    delivery d;
    EXPECT_EQ(delivery::open(tmp_.path() / ".Missing", {}, names_, d),
              std::errc::no_such_file_or_directory);
}

// A crash after every step of a commit, then a rescan: every message is there exactly once,
// whole, or not at all; never a partial file in new/ or cur/. `count` messages, spread over
// two folders, new/ and cur/; from syncfs_threshold on, the data is synced in one step.
class delivery_crash_test : public delivery_test {
protected:
    void crash_after_every_step(std::size_t count);
};

void delivery_crash_test::crash_after_every_step(std::size_t count) {
    std::vector<std::pair<std::string, delivery_options>> messages;
    for (std::size_t i = 0; i < count; ++i)
        messages.emplace_back("Subject: " + std::to_string(i) + "\r\n\r\nmessage " +
                                  std::string(i, 'x') + "\r\n",
                              i % 3 == 1 ? with_flags({flag::seen}) : delivery_options{});
    const std::size_t data_steps = count >= delivery_batch::syncfs_threshold ? 1 : count;
    std::size_t total_steps = 0;
    for (std::size_t stop = 0;; ++stop) {
        test::temp_dir dir;
        folder_layout layout(dir.path(), layout_kind::maildir_plus_plus);
        ASSERT_FALSE(layout.create_folder("INBOX"));
        ASSERT_FALSE(layout.create_folder("Other"));
        const std::vector<fs::path> folders = {dir.path(), dir.path() / ".Other", dir.path()};

        delivery_batch batch;
        std::map<std::string, std::string> expected; // base -> content on disk
        for (std::size_t i = 0; i < messages.size(); ++i) {
            auto d = deliver(folders[i % 3], messages[i].first, messages[i].second);
            std::string lf = messages[i].first;
            std::erase(lf, '\r');
            expected[d.base_name()] = lf;
            ASSERT_FALSE(batch.add(std::move(d)));
        }
        // And a message whose download the crash interrupts: half written in tmp/.
        delivery in_flight;
        ASSERT_FALSE(delivery::open(dir.path(), {}, names_, in_flight));
        ASSERT_FALSE(in_flight.append("Subject: half\r\n"));
        ASSERT_FALSE(in_flight.finish());
        const std::string in_flight_base = in_flight.base_name();

        total_steps = batch.commit_steps();
        std::vector<delivered_message> done;
        const auto ec = batch.commit(done, commit_hooks{stop});
        if (stop < total_steps) {
            EXPECT_EQ(ec, maildir_errc::commit_interrupted);
            EXPECT_TRUE(done.empty()) << "nothing is reported durable before the end";
        } else {
            EXPECT_FALSE(ec);
            EXPECT_EQ(done.size(), messages.size());
        }

        // "Restart": scan both folders.
        std::map<std::string, int> seen;
        for (const auto& folder : {dir.path(), dir.path() / ".Other"}) {
            for (const auto& m : scan(folder).messages) {
                ++seen[m.base];
                ASSERT_TRUE(expected.contains(m.base)) << m.base;
                EXPECT_EQ(read_file(m.path(folder)), expected[m.base]) << "half file in new|cur";
            }
        }
        for (const auto& [base, n] : seen)
            EXPECT_EQ(n, 1) << base;
        EXPECT_FALSE(seen.contains(in_flight_base));
        // Renames happen after the data steps, one per step.
        const std::size_t renamed =
            stop <= data_steps ? 0 : std::min<std::size_t>(stop - data_steps, count);
        EXPECT_EQ(seen.size(), renamed) << "stopped after " << stop << " steps";

        // Leftovers in tmp/ are garbage collected after 36 h and change nothing.
        std::size_t removed = 0;
        const auto later = std::chrono::system_clock::now() + std::chrono::hours(37);
        for (const auto& folder : {dir.path(), dir.path() / ".Other"}) {
            std::size_t n = 0;
            ASSERT_FALSE(maildir_folder(folder).remove_stale_tmp(later, n));
            removed += n;
        }
        in_flight = delivery(); // already gone from tmp/: nothing to remove
        EXPECT_EQ(removed, messages.size() - renamed + 1);
        if (stop >= total_steps)
            break;
    }
    EXPECT_EQ(total_steps, data_steps + count + 2U); // + one fsync per new/ or cur/ touched
}

TEST_F(delivery_crash_test, a_small_batch_fsyncs_each_file) {
    crash_after_every_step(3);
}

TEST_F(delivery_crash_test, a_big_batch_syncs_its_file_system_once) {
    crash_after_every_step(delivery_batch::syncfs_threshold);
}

} // namespace
} // namespace postfach::maildir
