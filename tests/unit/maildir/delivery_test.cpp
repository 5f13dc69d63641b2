#include "maildir/delivery.hpp"
#include "maildir/file_ops.hpp"
#include "maildir/folder_layout.hpp"
#include "maildir/maildir_errc.hpp"
#include "maildir/maildir_folder.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <fstream>
#include <grp.h>
#include <gtest/gtest.h>
#include <map>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

// How the tmp files are made: every test runs with each.
enum class tmp_files {
    unnamed,      // O_TMPFILE, linked with AT_EMPTY_PATH where the process may (CI: root)
    unnamed_proc, // O_TMPFILE, linked through /proc/self/fd as an unprivileged process does
    named,        // a file system without O_TMPFILE: tmp/<name>, renamed
};

std::string tmp_files_name(const ::testing::TestParamInfo<tmp_files>& info) {
    switch (info.param) {
    case tmp_files::unnamed:
        return "unnamed";
    case tmp_files::unnamed_proc:
        return "unnamed_linked_through_proc";
    case tmp_files::named:
        return "named";
    }
    return "unknown";
}

class delivery_test : public ::testing::TestWithParam<tmp_files> {
protected:
    void SetUp() override {
        set_unnamed_files_for_tests(GetParam() != tmp_files::named);
        set_link_through_proc_for_tests(GetParam() == tmp_files::unnamed_proc);
        ASSERT_FALSE(layout_.create_folder("INBOX"));
        ASSERT_FALSE(layout_.create_folder("Other"));
    }
    void TearDown() override {
        set_unnamed_files_for_tests(true);
        set_link_through_proc_for_tests(false);
    }
    [[nodiscard]] bool unnamed() const { return GetParam() != tmp_files::named; }

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

TEST_P(delivery_test, unseen_goes_to_new_seen_to_cur_with_lf_endings) {
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

TEST_P(delivery_test, large_message_in_small_chunks_with_split_crlf) {
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

TEST_P(delivery_test, raw_bytes_are_kept_when_not_from_the_wire) {
    delivery_batch batch;
    delivery_options raw;
    raw.from_wire = false;
    ASSERT_FALSE(batch.add(deliver(inbox_, "a\r\nb\n", raw)));
    std::vector<delivered_message> done;
    ASSERT_FALSE(batch.commit(done));
    EXPECT_EQ(read_file(done.at(0).entry.path(inbox_)), "a\r\nb\n");
}

TEST_P(delivery_test, internal_date_becomes_the_mtime) {
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

TEST_P(delivery_test, misuse_is_refused_and_abandoned_deliveries_leave_nothing) {
    {
        delivery d;
        ASSERT_FALSE(delivery::open(inbox_, {}, names_, d));
        ASSERT_FALSE(d.append("partial"));
        EXPECT_EQ(d.unnamed(), unnamed());
        EXPECT_EQ(count_files(inbox_ / "tmp"), unnamed() ? 0U : 1U);
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

TEST_P(delivery_test, a_failed_rename_spoils_only_its_own_message) {
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

TEST_P(delivery_test, missing_folder_is_an_error) {
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
        // Unnamed files vanished with the "process": nothing is left to collect.
        EXPECT_EQ(removed, unnamed() ? 0 : messages.size() - renamed + 1);
        if (stop >= total_steps)
            break;
    }
    EXPECT_EQ(total_steps, data_steps + count + 2U); // + one fsync per new/ or cur/ touched
}

TEST_P(delivery_crash_test, a_small_batch_fsyncs_each_file) {
    crash_after_every_step(3);
}

TEST_P(delivery_crash_test, a_big_batch_syncs_its_file_system_once) {
    crash_after_every_step(delivery_batch::syncfs_threshold);
}

// Users run postfach unprivileged: kernels before 6.10 refuse them linkat(AT_EMPTY_PATH) (it
// needs CAP_DAC_READ_SEARCH there), and the commit links the unnamed file through /proc/self/fd
// instead. Run as root (CI), the test drops to nobody in a child process first.
TEST(delivery_unprivileged_test, an_unnamed_file_is_linked_without_privileges) {
    if (::geteuid() != 0)
        GTEST_SKIP() << "already unprivileged: the unnamed test cases cover this";
    test::temp_dir tmp;
    const fs::path root = tmp.path() / "mail";
    fs::create_directory(root);
    ASSERT_EQ(::chown(tmp.path().c_str(), 65534, 65534), 0);
    ASSERT_EQ(::chown(root.c_str(), 65534, 65534), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // Exit codes say which step failed; no gtest macros in the child.
        if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
            ::setresuid(65534, 65534, 65534) != 0)
            ::_exit(10);
        set_link_through_proc_for_tests(false); // learnt again, as by a new process
        folder_layout layout(root, layout_kind::maildir_plus_plus);
        if (layout.create_folder("INBOX"))
            ::_exit(11);
        unique_name_generator names;
        delivery d;
        if (delivery::open(root, {}, names, d) || d.append("Subject: x\r\n\r\n") || d.finish())
            ::_exit(12);
        if (!d.unnamed())
            ::_exit(13);
        delivery_batch batch;
        std::vector<delivered_message> done;
        if (batch.add(std::move(d)) || batch.commit(done) || done.size() != 1)
            ::_exit(14);
        if (!fs::exists(done[0].entry.path(root)) || count_files(root / "tmp") != 0)
            ::_exit(15);
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "10: setuid, 11: folder, 12: write, 13: named, "
                                         "14: commit, 15: not delivered";
}

INSTANTIATE_TEST_SUITE_P(tmp_file_kinds, delivery_test,
                         ::testing::Values(tmp_files::unnamed, tmp_files::unnamed_proc,
                                           tmp_files::named),
                         tmp_files_name);
INSTANTIATE_TEST_SUITE_P(tmp_file_kinds, delivery_crash_test,
                         ::testing::Values(tmp_files::unnamed, tmp_files::unnamed_proc,
                                           tmp_files::named),
                         tmp_files_name);

} // namespace
} // namespace postfach::maildir
