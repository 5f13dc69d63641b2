#include "maildir/folder_layout.hpp"
#include "maildir/maildir_errc.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace fs = std::filesystem;

namespace postfach::maildir {
namespace {

const std::vector<std::string> odd_names = {
    "Work",       "A/B",         "A.B",       "a.b/c.d", "Sent Items", "Me & You",  "Ärger/Über",
    "日本語",     "back\\slash", "x/.hidden", ".dot",    "new",        "INBOX/cur", "tmp/new/cur",
    "&AMQ--like", "trailing.",   "\\2e",      "a..b",    "INBOX/Sub",
};

class folder_layout_test : public ::testing::TestWithParam<layout_kind> {
protected:
    test::temp_dir tmp_;
    folder_layout layout_{tmp_.path() / "Mail", GetParam()};
};

TEST_P(folder_layout_test, odd_names_round_trip_through_disk) {
    for (const auto& name : odd_names)
        ASSERT_FALSE(layout_.create_folder(name)) << name;
    ASSERT_FALSE(layout_.create_folder("INBOX"));
    std::error_code ec;
    auto listed = layout_.list_folders(ec);
    ASSERT_FALSE(ec);
    auto expected = odd_names;
    expected.push_back("INBOX");
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(listed, expected);
    for (const auto& name : odd_names) {
        EXPECT_TRUE(layout_.folder_exists(name)) << name;
        auto dir = layout_.folder_dir(name, ec);
        EXPECT_TRUE(fs::is_directory(dir / "tmp")) << name;
        EXPECT_TRUE(fs::is_directory(dir / "new")) << name;
        EXPECT_TRUE(fs::is_directory(dir / "cur")) << name;
    }
}

TEST_P(folder_layout_test, components_round_trip_through_the_codec) {
    for (std::string_view c :
         {"a.b", "\\", "\\5c", ".x", "..", "new", "cur", "tmp", "Ärger", "a b&c", "news"}) {
        auto encoded = encode_folder_component(c, GetParam());
        EXPECT_EQ(decode_folder_component(encoded), c) << encoded;
        EXPECT_EQ(encoded.find('/'), std::string::npos);
        EXPECT_FALSE(encoded.starts_with('.')) << encoded;
        if (GetParam() == layout_kind::maildir_plus_plus) {
            EXPECT_EQ(encoded.find('.'), std::string::npos) << encoded;
        }
    }
}

TEST_P(folder_layout_test, invalid_names_are_refused) {
    std::error_code ec;
    const std::string_view bad_names[] = {"", "/", "/a", "a/", "a//b", std::string_view("a\0b", 3)};
    for (std::string_view bad : bad_names) {
        (void)layout_.folder_dir(bad, ec);
        EXPECT_EQ(ec, maildir_errc::invalid_folder_name) << bad;
        EXPECT_EQ(layout_.create_folder(bad), maildir_errc::invalid_folder_name);
    }
}

TEST_P(folder_layout_test, create_twice_is_an_error) {
    ASSERT_FALSE(layout_.create_folder("X"));
    EXPECT_EQ(layout_.create_folder("X"), maildir_errc::folder_exists);
}

TEST_P(folder_layout_test, folders_are_private) {
    ASSERT_FALSE(layout_.create_folder("X/Y"));
    std::error_code ec;
    struct stat st {};
    ASSERT_EQ(::stat((layout_.folder_dir("X/Y", ec) / "cur").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700U);
}

TEST_P(folder_layout_test, delete_keeps_sub_folders) {
    ASSERT_FALSE(layout_.create_folder("A"));
    ASSERT_FALSE(layout_.create_folder("A/B"));
    std::error_code ec;
    std::ofstream(layout_.folder_dir("A", ec) / "cur" / "msg:2,S") << "x\n";
    ASSERT_FALSE(layout_.delete_folder("A"));
    EXPECT_FALSE(layout_.folder_exists("A"));
    EXPECT_TRUE(layout_.folder_exists("A/B"));
    EXPECT_EQ(layout_.list_folders(ec), std::vector<std::string>{"A/B"});
    EXPECT_EQ(layout_.delete_folder("A"), maildir_errc::folder_not_found);
    EXPECT_EQ(layout_.delete_folder("INBOX"), maildir_errc::inbox_not_allowed);
}

TEST_P(folder_layout_test, rename_moves_messages_and_sub_folders) {
    ASSERT_FALSE(layout_.create_folder("Old.Name"));
    ASSERT_FALSE(layout_.create_folder("Old.Name/Child"));
    ASSERT_FALSE(layout_.create_folder("Old.Name2"));
    std::error_code ec;
    const auto msg = layout_.folder_dir("Old.Name", ec) / "cur" / "m1:2,S";
    std::ofstream(msg) << "hello\n";
    struct stat before {};
    ASSERT_EQ(::stat(msg.c_str(), &before), 0);

    ASSERT_FALSE(layout_.rename_folder("Old.Name", "New/Näme"));
    const auto moved = layout_.folder_dir("New/Näme", ec) / "cur" / "m1:2,S";
    struct stat after {};
    ASSERT_EQ(::stat(moved.c_str(), &after), 0);
    EXPECT_EQ(before.st_ino, after.st_ino);
    auto listed = layout_.list_folders(ec);
    std::vector<std::string> expected{"New/Näme", "New/Näme/Child", "Old.Name2"};
    EXPECT_EQ(listed, expected);
}

TEST_P(folder_layout_test, rename_refuses_bad_targets) {
    ASSERT_FALSE(layout_.create_folder("A"));
    ASSERT_FALSE(layout_.create_folder("B"));
    EXPECT_EQ(layout_.rename_folder("A", "B"), maildir_errc::folder_exists);
    EXPECT_EQ(layout_.rename_folder("A", "A/C"), maildir_errc::invalid_folder_name);
    EXPECT_EQ(layout_.rename_folder("Missing", "C"), maildir_errc::folder_not_found);
    EXPECT_EQ(layout_.rename_folder("INBOX", "C"), maildir_errc::inbox_not_allowed);
}

TEST_P(folder_layout_test, foreign_directories_are_not_folders) {
    ASSERT_FALSE(layout_.create_folder("Real"));
    fs::create_directories(tmp_.path() / "Mail" / ".notmuch" / "xapian");
    fs::create_directories(tmp_.path() / "Mail" / "plain-dir-without-cur");
    std::error_code ec;
    EXPECT_EQ(layout_.list_folders(ec), std::vector<std::string>{"Real"});
}

TEST_P(folder_layout_test, missing_root_has_no_folders) {
    std::error_code ec;
    EXPECT_TRUE(layout_.list_folders(ec).empty());
    EXPECT_FALSE(ec);
}

TEST_P(folder_layout_test, rename_clash_of_a_sub_folder_renames_nothing) {
    ASSERT_FALSE(layout_.create_folder("A"));
    ASSERT_FALSE(layout_.create_folder("A/Child"));
    ASSERT_FALSE(layout_.create_folder("B/Child"));
    EXPECT_TRUE(layout_.rename_folder("A", "B"));
    std::error_code ec;
    EXPECT_EQ(layout_.list_folders(ec), (std::vector<std::string>{"A", "A/Child", "B/Child"}));
}

INSTANTIATE_TEST_SUITE_P(layouts, folder_layout_test,
                         ::testing::Values(layout_kind::maildir_plus_plus, layout_kind::verbatim),
                         [](const ::testing::TestParamInfo<layout_kind>& param_info) {
                             return param_info.param == layout_kind::verbatim ? "verbatim"
                                                                              : "maildir_plus_plus";
                         });

TEST(folder_layout, maildir_plus_plus_paths) {
    folder_layout layout("/m", layout_kind::maildir_plus_plus);
    std::error_code ec;
    EXPECT_EQ(layout.folder_dir("INBOX", ec), fs::path("/m"));
    EXPECT_EQ(layout.folder_dir("A/B", ec), fs::path("/m/.A.B"));
    EXPECT_EQ(layout.folder_dir("a.b/c", ec), fs::path("/m/.a\\2eb.c"));
    EXPECT_EQ(layout.folder_dir("Ärger", ec), fs::path("/m/.Ärger"));
}

TEST(folder_layout, verbatim_paths) {
    folder_layout layout("/m", layout_kind::verbatim);
    std::error_code ec;
    EXPECT_EQ(layout.folder_dir("INBOX", ec), fs::path("/m/INBOX"));
    EXPECT_EQ(layout.folder_dir("A/B", ec), fs::path("/m/A/B"));
    EXPECT_EQ(layout.folder_dir("a.b/.c", ec), fs::path("/m/a.b/\\2ec"));
    EXPECT_EQ(layout.folder_dir("A/new", ec), fs::path("/m/A/\\6eew"));
}

TEST(folder_layout, maildir_plus_plus_marks_sub_folders) {
    test::temp_dir tmp;
    folder_layout layout(tmp.path(), layout_kind::maildir_plus_plus);
    ASSERT_FALSE(layout.create_folder("INBOX"));
    ASSERT_FALSE(layout.create_folder("A/B"));
    EXPECT_TRUE(fs::exists(tmp.path() / ".A.B" / "maildirfolder"));
    EXPECT_FALSE(fs::exists(tmp.path() / "maildirfolder"));
}

} // namespace
} // namespace postfach::maildir
