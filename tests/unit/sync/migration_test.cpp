#include "sync/migration.hpp"
#include "tests/unit/sync/memory_store.hpp"
#include "tests/unit/sync/pass_helpers.hpp"

#include <gtest/gtest.h>

namespace postfach::sync::testing {
namespace {

constexpr flag_bits seen = 1u << 4; // any bit: the test only checks it travels

std::multiset<std::string> bodies(const memory_folder& folder) {
    std::multiset<std::string> out;
    for (const auto& [id, m] : folder)
        out.insert(m.body);
    return out;
}

TEST(migration, uploads_what_the_target_lacks_once_with_flags_and_dates) {
    memory_store local("L", false), remote("R", true);
    local.add("INBOX", test_mail("a"), seen);
    local.add("INBOX", test_mail("b"));
    local.add("INBOX", test_mail("b")); // a second copy on disk is uploaded once
    local.add("Old/2019", test_mail("c"));
    remote.add("INBOX", test_mail("a"));
    std::vector<std::string> dated;
    migration_options o;
    o.date_of = [&dated](const std::string& folder, const std::string& id) {
        dated.push_back(folder + " " + id);
        return std::int64_t{1057049557};
    };
    auto r = run_task(migrate_messages(local, remote, o));
    ASSERT_FALSE(r.error) << r.error_detail;
    EXPECT_EQ(r.uploaded, 2u);
    EXPECT_EQ(r.already_there, 2u); // a, and the second b
    EXPECT_EQ(r.folders, 2u);
    EXPECT_EQ(r.folders_created, 1u);
    EXPECT_EQ(dated.size(), 2u);
    EXPECT_EQ(bodies(remote.durable().at("INBOX")),
              (std::multiset<std::string>{test_mail("a"), test_mail("b")}));
    EXPECT_EQ(bodies(remote.durable().at("Old/2019")),
              (std::multiset<std::string>{test_mail("c")}));

    // Again: nothing left to upload.
    r = run_task(migrate_messages(local, remote, o));
    ASSERT_FALSE(r.error) << r.error_detail;
    EXPECT_EQ(r.uploaded, 0u);
    EXPECT_EQ(r.already_there, 4u);
}

TEST(migration, flags_travel) {
    memory_store local("L", false), remote("R", true);
    local.add("INBOX", test_mail("a"), seen);
    ASSERT_FALSE(run_task(migrate_messages(local, remote, {})).error);
    ASSERT_EQ(remote.durable().at("INBOX").size(), 1u);
    EXPECT_EQ(remote.durable().at("INBOX").begin()->second.flags, seen);
}

TEST(migration, dry_run_counts_and_changes_nothing) {
    memory_store local("L", false), remote("R", true);
    local.add("INBOX", test_mail("a"));
    local.add("Archive", test_mail("b"));
    std::vector<std::string> listed;
    migration_options o;
    o.dry_run = true;
    o.on_upload = [&listed](const std::string& folder, const scanned_message&) {
        listed.push_back(folder);
    };
    const auto r = run_task(migrate_messages(local, remote, o));
    ASSERT_FALSE(r.error) << r.error_detail;
    EXPECT_EQ(r.uploaded, 2u);
    EXPECT_EQ(r.folders_created, 2u);
    EXPECT_EQ(listed, (std::vector<std::string>{"Archive", "INBOX"}));
    EXPECT_TRUE(remote.durable().empty());
    EXPECT_EQ(remote.mutations, 0);
}

TEST(migration, an_interrupted_run_resumes_without_duplicates) {
    memory_store local("L", false), remote("R", true);
    for (const char* tag : {"a", "b", "c", "d"})
        local.add("INBOX", test_mail(tag));
    remote.add("INBOX", test_mail("x"));
    remote.fail_at(2); // the third upload fails: the store dies
    auto r = run_task(migrate_messages(local, remote, {}));
    EXPECT_TRUE(r.error);
    remote.crash();
    r = run_task(migrate_messages(local, remote, {}));
    ASSERT_FALSE(r.error) << r.error_detail;
    EXPECT_EQ(r.uploaded, 2u);
    EXPECT_EQ(bodies(remote.durable().at("INBOX")),
              (std::multiset<std::string>{test_mail("a"), test_mail("b"), test_mail("c"),
                                          test_mail("d"), test_mail("x")}));
}

} // namespace
} // namespace postfach::sync::testing
