// A full disk under the Maildir (design.md §4.7): the Maildir lives on a small tmpfs that the
// test mounts (root only; skipped otherwise). The sync must stop the folder cleanly with an error
// that says the disk is full, leave no partial file in new/ or cur/ (every file there is a whole
// message of the server) and nothing in tmp/, and keep the state consistent: after the space
// grows, the next pass completes and both sides compare equal.

#include "tests/support/account_sync_test.hpp"

#include <cstring>
#include <gtest/gtest.h>
#include <sys/mount.h>

namespace postfach::test {
namespace {

namespace fs = std::filesystem;

class disk_full : public layout_sync_test {
protected:
    void SetUp() override {
        if (::geteuid() != 0)
            GTEST_SKIP() << "mounting a tmpfs for the Maildir needs root (CI runs as root)";
        fs::create_directories(maildir());
        if (::mount("tmpfs", maildir().c_str(), "tmpfs", 0, "size=256k,mode=0700") != 0)
            GTEST_SKIP() << "cannot mount a tmpfs on " << maildir() << ": " << std::strerror(errno)
                         << " (a container without CAP_SYS_ADMIN?)";
        mounted_ = true;
        layout_sync_test::SetUp();
    }
    void TearDown() override {
        if (mounted_)
            ::umount2(maildir().c_str(), MNT_DETACH);
    }
    void grow(const char* size) {
        ASSERT_EQ(::mount("tmpfs", maildir().c_str(), "tmpfs", MS_REMOUNT,
                          (std::string("size=") + size + ",mode=0700").c_str()),
                  0)
            << std::strerror(errno);
    }
    // Files left in tmp/ of every local folder.
    std::vector<std::string> tmp_leftovers() {
        std::vector<std::string> out;
        for (const auto& e : fs::recursive_directory_iterator(maildir()))
            if (e.is_regular_file() && e.path().parent_path().filename() == "tmp")
                out.push_back(e.path().string());
        return out;
    }
    bool mounted_ = false;
};

TEST_P(disk_full, stops_cleanly_and_the_next_pass_completes_after_space_is_freed) {
    // About 600 KB of mail for a 256 KB file system; a small folder that fits.
    std::vector<dovecot_server::message_spec> batch;
    std::string filler;
    for (int i = 0; i < 120; ++i)
        filler += "A line of a message body that makes the message about ten kilobytes.\r\n";
    for (int i = 0; i < 60; ++i)
        batch.push_back({make_message("big " + std::to_string(i), filler), {}});
    server().add_messages("alice", "INBOX", batch);
    server().create_folder("alice", "Small");
    server().add_message("alice", "Small", make_message("small", "fits\r\n"), {"\\Seen"});
    config();

    for (int attempt = 0; attempt < 2; ++attempt) { // a second pass on a still-full disk, too
        const auto r = sync();
        EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
        EXPECT_NE(r.err.find("No space left on device; free some space"), std::string::npos)
            << r.err;
        EXPECT_NE(r.err.find("INBOX"), std::string::npos) << r.err;
        EXPECT_TRUE(tmp_leftovers().empty()) << fmt::format("{}", fmt::join(tmp_leftovers(), "\n"));
        // Every local file is a whole message of the server, none twice.
        const auto d = compare();
        EXPECT_EQ(d.only_local, 0u) << d.describe();
        EXPECT_EQ(d.duplicated, 0u) << d.describe();
        EXPECT_GT(d.only_on_server, 0u) << "the disk was not full: " << d.describe();
    }

    grow("4m");
    auto r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto d = compare();
    EXPECT_TRUE(d.equal()) << d.describe();
    r = sync();
    EXPECT_NE(r.out.find("fetched 0 (0.0 MB), uploaded 0, flags ↑0 ↓0, deleted ↑0 ↓0, moved 0"),
              std::string::npos)
        << r.out << r.err;
}

INSTANTIATE_TEST_SUITE_P(layouts, disk_full, ::testing::Values("maildir++", "verbatim"),
                         layout_test_name);

} // namespace
} // namespace postfach::test
