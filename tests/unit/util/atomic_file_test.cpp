#include "tests/unit/support/temp_dir.hpp"
#include "util/atomic_file.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <sys/stat.h>

namespace postfach::util {
namespace {

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(atomic_file, writes_0600_in_a_new_0700_directory_whatever_the_umask) {
    test::temp_dir dir;
    const auto file = dir.path() / "a" / "b" / "config.yaml";
    const auto old_mask = ::umask(0);
    const auto ec = write_file_atomically(file, "hello\n");
    ::umask(old_mask);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(read_all(file), "hello\n");
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat(file.parent_path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(atomic_file, replaces_the_content_and_leaves_no_temporary_file) {
    test::temp_dir dir;
    const auto file = dir.path() / "f";
    ASSERT_FALSE(write_file_atomically(file, "one"));
    ASSERT_FALSE(write_file_atomically(file, "two"));
    EXPECT_EQ(read_all(file), "two");
    int entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path()))
        ++entries;
    EXPECT_EQ(entries, 1);
}

TEST(atomic_file, reports_an_unwritable_place_and_keeps_the_old_file) {
    test::temp_dir dir;
    const auto file = dir.path() / "f";
    ASSERT_FALSE(write_file_atomically(file, "old"));
    // A directory in the file's place cannot be replaced by rename.
    const auto blocked = dir.path() / "d";
    std::filesystem::create_directory(blocked);
    std::filesystem::create_directory(blocked / "x");
    EXPECT_TRUE(write_file_atomically(blocked, "new"));
    EXPECT_EQ(read_all(file), "old");
}

} // namespace
} // namespace postfach::util
