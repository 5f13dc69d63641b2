#include "sync/folder_filter.hpp"

#include <gtest/gtest.h>

namespace {

using namespace postfach::sync;

TEST(list_pattern, star_spans_levels_and_percent_does_not) {
    EXPECT_TRUE(matches_list_pattern("*", "Archive/2025/Q1"));
    EXPECT_TRUE(matches_list_pattern("Archive/*", "Archive/2025/Q1"));
    EXPECT_TRUE(matches_list_pattern("Archive/%", "Archive/2025"));
    EXPECT_FALSE(matches_list_pattern("Archive/%", "Archive/2025/Q1"));
    EXPECT_FALSE(matches_list_pattern("Archive/*", "Archive"));
    EXPECT_TRUE(matches_list_pattern("Reisen/Z*", "Reisen/Zürich"));
    EXPECT_TRUE(matches_list_pattern("%", "Trash"));
    EXPECT_FALSE(matches_list_pattern("Trash", "Trash/Old"));
    EXPECT_TRUE(matches_list_pattern("*rash", "Trash"));
    EXPECT_FALSE(matches_list_pattern("", "INBOX"));
}

TEST(list_pattern, inbox_is_case_insensitive) {
    EXPECT_TRUE(matches_list_pattern("inbox", "INBOX"));
    EXPECT_TRUE(matches_list_pattern("INBOX/*", "Inbox/Sub"));
    EXPECT_FALSE(matches_list_pattern("inboxes", "INBOXES"));
}

TEST(folder_selector, include_exclude_and_virtual_folders) {
    const auto select = make_folder_selector({"*"}, {"Trash", "Junk", "Archive/Old/*"});
    EXPECT_TRUE(select({"INBOX", ""}));
    EXPECT_TRUE(select({"Archive/Old", ""}));
    EXPECT_FALSE(select({"Archive/Old/2019", ""}));
    EXPECT_FALSE(select({"Trash", "\\Trash"}));
    EXPECT_FALSE(select({"[Gmail]/All Mail", "\\All"}));
    EXPECT_FALSE(select({"[Gmail]/Starred", "\\Flagged"}));
    EXPECT_TRUE(select({"[Gmail]/Sent Mail", "\\Sent"}));
    const auto only_inbox = make_folder_selector({"INBOX"}, {});
    EXPECT_TRUE(only_inbox({"INBOX", ""}));
    EXPECT_FALSE(only_inbox({"Sent", "\\Sent"}));
}

} // namespace
