#include "sync/pass_report.hpp"

#include <gtest/gtest.h>

namespace {

using namespace postfach::sync;

TEST(pass_report, flag_letters_in_maildir_order) {
    EXPECT_EQ(flag_letters(0), "");
    EXPECT_EQ(flag_letters(0x3f), "DFPRST");
    EXPECT_EQ(flag_letters((1 << 4) | (1 << 1)), "FS");
}

TEST(pass_report, describes_each_kind_of_action_and_the_guard) {
    folder_plan p;
    p.folder = "Reisen/Zürich";
    action fetch;
    fetch.kind = action_kind::copy;
    fetch.target = side::local;
    fetch.ids[0] = "17";
    fetch.flags = 1 << 4;
    action flags;
    flags.kind = action_kind::store_flags;
    flags.target = side::remote;
    flags.ids = {std::string("3"), std::string("abc")};
    flags.add = 1 << 4;
    flags.remove = 1 << 1;
    action removal;
    removal.kind = action_kind::remove;
    removal.target = side::local;
    removal.ids = {std::string("4"), std::string("file1")};
    action move;
    move.kind = action_kind::move;
    move.target = side::local;
    move.ids = {std::string("9"), std::string("file2")};
    move.from_folder = "INBOX";
    action record;
    record.kind = action_kind::record;
    p.actions = {fetch, flags, removal, move, record};
    p.guard_trips.push_back({side::remote, 20, 30, false});
    const auto lines = describe_plan(p);
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[0], "Reisen/Zürich: fetch UID 17 (S)");
    EXPECT_EQ(lines[1], "Reisen/Zürich: set flags on the server of UID 3: +S -F");
    EXPECT_EQ(lines[2], "Reisen/Zürich: delete locally file1");
    EXPECT_EQ(lines[3], "Reisen/Zürich: move locally file2 here from INBOX");
    EXPECT_EQ(lines[4], "Reisen/Zürich: deletion guard: holding back 20 deletions on the server "
                        "(of 30 messages); nothing is deleted in this folder; run with --force "
                        "if this is intended");
}

TEST(pass_report, summary_line) {
    pass_result r;
    r.copied = {3, 120};
    r.bytes_copied = 4'200'000;
    r.flagged = {2, 5};
    r.removed = {0, 1};
    r.moved = {1, 1};
    r.folders.resize(6);
    EXPECT_EQ(summary_line("work", r, std::chrono::milliseconds(1300)),
              "work: fetched 120 (4.2 MB), uploaded 3, flags ↑2 ↓5, deleted ↑0 ↓1, moved 2, "
              "6 folders, 1.3 s");
}

} // namespace
