// Whole passes of the engine over in-memory stores: transfers, idempotence, moves without
// transfer, dry runs, and a crash at every step of a pass followed by a repairing pass.

#include "sync/account_pass.hpp"
#include "tests/unit/sync/memory_store.hpp"
#include "tests/unit/sync/store_decorators.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <gtest/gtest.h>
#include <optional>

namespace {

using namespace postfach::sync;
using postfach::sync::testing::memory_mailbox;
using postfach::sync::testing::memory_state;
using postfach::sync::testing::memory_store;

using namespace flag_bit; // draft, flagged, forwarded, answered, seen, deleted

pass_result run_pass(store& remote, store& local, postfach::sync::sync_state& state,
                     pass_options options = {}) {
    boost::asio::io_context io;
    auto all = [](const folder_info&) {
        return true;
    };
    auto future = boost::asio::co_spawn(
        io, run_account_pass({&remote, &local}, state, all, options), boost::asio::use_future);
    io.run();
    return future.get();
}

// Folder → sorted (body, flags) list: what a user sees, ignoring ids.
using mailbox_contents = std::map<std::string, std::multiset<std::pair<std::string, flag_bits>>>;
mailbox_contents contents(const memory_mailbox& m) {
    mailbox_contents out;
    for (const auto& [folder, messages] : m) {
        auto& set = out[folder];
        for (const auto& [id, msg] : messages)
            set.emplace(msg.body, msg.flags);
    }
    return out;
}

struct account {
    memory_store remote{"", true};  // IMAP-like: UIDs, durable when acknowledged
    memory_store local{"L", false}; // Maildir-like: durable at commit
    memory_state state;

    account() {
        // Both sides start with the same two folders, as after `postfach init`.
        for (auto* s : {&remote, &local}) {
            s->working()["INBOX"];
            s->working()["Archive"];
            s->make_durable();
        }
    }

    pass_result pass(pass_options options = {}) { return run_pass(remote, local, state, options); }
};

TEST(account_pass, initial_sync_copies_everything_once_and_a_second_pass_changes_nothing) {
    account a;
    for (int i = 0; i < 20; ++i)
        a.remote.add(i % 2 ? "INBOX" : "Archive", "message " + std::to_string(i), i % 3 ? seen : 0);
    a.local.add("INBOX", "written offline");
    const auto first = a.pass();
    EXPECT_FALSE(first.any_error());
    EXPECT_EQ(first.copied[1], 20u);
    EXPECT_EQ(first.copied[0], 1u);
    EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
    EXPECT_EQ(a.state.records("INBOX").size(), 11u);
    const int reads = a.remote.reads + a.local.reads;
    const auto second = a.pass();
    EXPECT_EQ(second.copied[0] + second.copied[1], 0u);
    for (const auto& f : second.folders)
        EXPECT_TRUE(f.plan.actions.empty()) << f.folder;
    EXPECT_EQ(a.remote.reads + a.local.reads, reads) << "a pass over known mail reads no message";
}

TEST(account_pass, changes_on_both_sides_converge) {
    account a;
    a.remote.add("INBOX", "one");
    a.remote.add("INBOX", "two");
    a.remote.add("INBOX", "three");
    a.pass();
    auto& remote_inbox = a.remote.working()["INBOX"];
    auto& local_inbox = a.local.working()["INBOX"];
    remote_inbox.begin()->second.flags = seen;         // read elsewhere
    local_inbox.rbegin()->second.flags = flagged;      // flagged in mutt
    local_inbox.erase(std::next(local_inbox.begin())); // deleted in mutt
    a.remote.add("INBOX", "four");                     // new mail
    a.local.add("Archive", "kept");                    // filed locally
    const auto r = a.pass();
    EXPECT_FALSE(r.any_error());
    EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
    EXPECT_EQ(a.remote.durable().at("INBOX").size(), 3u);
    for (const auto& f : a.pass().folders)
        EXPECT_TRUE(f.plan.actions.empty()) << f.folder;
}

TEST(account_pass, a_move_on_the_server_is_replayed_without_a_transfer) {
    account a;
    a.remote.add("INBOX", "to be filed");
    a.remote.add("INBOX", "stays");
    a.pass();
    const int reads = a.remote.reads;
    // The server moves the message (new UID in Archive).
    auto& inbox = a.remote.working()["INBOX"];
    const auto moved_body = inbox.begin()->second.body;
    auto node = inbox.extract(inbox.begin());
    node.key() = "900";
    a.remote.working()["Archive"].insert(std::move(node));
    a.remote.make_durable();
    std::string local_name; // the local copy of the message moved (stores copy in any order)
    for (const auto& [id, m] : a.local.durable().at("INBOX"))
        if (m.body == moved_body)
            local_name = id;
    const auto r = a.pass();
    EXPECT_EQ(r.moved[1], 1u);
    EXPECT_EQ(r.copied[1], 0u);
    EXPECT_EQ(r.removed[1], 0u);
    EXPECT_EQ(a.remote.reads, reads) << "no download for a move";
    EXPECT_EQ(a.local.durable().at("Archive").count(local_name), 1u) << "the same file, moved";
    EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
    for (const auto& f : a.pass().folders)
        EXPECT_TRUE(f.plan.actions.empty()) << f.folder;
}

TEST(account_pass, a_local_move_is_replayed_on_the_server) {
    account a;
    a.remote.add("INBOX", "filed in mutt");
    a.pass();
    auto& inbox = a.local.working()["INBOX"];
    auto node = inbox.extract(inbox.begin());
    a.local.working()["Archive"].insert(std::move(node));
    a.local.make_durable();
    const auto r = a.pass();
    EXPECT_EQ(r.moved[0], 1u);
    EXPECT_EQ(r.copied[0], 0u);
    EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
}

TEST(account_pass, a_new_uidvalidity_re_pairs_without_transfer_or_duplicate) {
    account a;
    a.remote.renumber("100");
    for (int i = 0; i < 5; ++i)
        a.remote.add("INBOX", "m" + std::to_string(i), i == 0 ? seen : 0);
    a.pass();
    const int remote_reads = a.remote.reads;
    a.remote.renumber("200"); // the server rebuilt its index: all UIDs new
    a.local.working()["INBOX"].begin()->second.flags = flagged; // a local change meanwhile
    a.local.make_durable();
    const auto r = a.pass();
    EXPECT_FALSE(r.any_error());
    EXPECT_EQ(r.copied[0] + r.copied[1], 0u);
    EXPECT_EQ(r.removed[0] + r.removed[1], 0u);
    EXPECT_EQ(r.linked, 5u);
    EXPECT_EQ(a.remote.reads, remote_reads) << "nothing downloaded again";
    EXPECT_EQ(a.local.durable().at("INBOX").size(), 5u);
    EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
    for (const auto& f : a.pass().folders)
        EXPECT_TRUE(f.plan.actions.empty()) << f.folder;
}

TEST(account_pass, copies_carry_the_internal_date_both_ways) {
    account a;
    a.remote.add("INBOX", "from the server");
    a.remote.set_internal_date(a.remote.working()["INBOX"].begin()->first, 1234567);
    a.local.add("INBOX", "from the maildir");
    a.local.set_internal_date(a.local.working()["INBOX"].begin()->first, 7654321);
    EXPECT_FALSE(a.pass().any_error());
    const auto date_of = [](memory_store& s, const std::string& body) {
        for (const auto& [id, m] : s.durable().at("INBOX"))
            if (m.body == body)
                return s.internal_date(id);
        return std::int64_t{-1};
    };
    EXPECT_EQ(date_of(a.local, "from the server"), 1234567);
    EXPECT_EQ(date_of(a.remote, "from the maildir"), 7654321);
}

// A scan from a token reports only what changed after it; so the token may be kept only when
// the records hold everything the side had at the token, else changes would be lost for good.
TEST(account_pass, a_scan_token_is_kept_only_when_the_pass_took_in_all_it_covers) {
    account a;
    a.remote.enable_tokens();
    a.remote.add("INBOX", "one");
    EXPECT_FALSE(a.pass().any_error());
    const auto first = a.state.scan_token("INBOX", side::remote);
    EXPECT_FALSE(first.empty());

    // The next pass starts from it, with the records as the base.
    a.remote.working()["INBOX"].begin()->second.flags = seen;
    a.remote.make_durable();
    EXPECT_FALSE(a.pass().any_error());
    ASSERT_TRUE(a.remote.last_base);
    EXPECT_EQ(a.remote.last_base->token, first);
    ASSERT_EQ(a.remote.last_base->messages.size(), 1u);
    EXPECT_EQ(a.remote.last_base->messages[0].flags, 0) << "the flags at that token";
    const auto second = a.state.scan_token("INBOX", side::remote);
    EXPECT_FALSE(second.empty());
    EXPECT_NE(second, first);

    // A dry run takes in nothing: the token stays.
    a.remote.add("INBOX", "two");
    pass_options dry;
    dry.dry_run = true;
    a.pass(dry);
    EXPECT_EQ(a.state.scan_token("INBOX", side::remote), second);

    // push never changes local mail: the new message is not taken in, so no token.
    pass_options push;
    push.plan.may_change[static_cast<int>(side::local)] = false;
    EXPECT_FALSE(a.pass(push).any_error());
    EXPECT_EQ(a.state.scan_token("INBOX", side::remote), "");
    EXPECT_EQ(a.local.durable().at("INBOX").size(), 1u);

    // A full pass takes it in, and has a token again.
    EXPECT_FALSE(a.pass().any_error());
    EXPECT_EQ(a.local.durable().at("INBOX").size(), 2u);
    EXPECT_FALSE(a.state.scan_token("INBOX", side::remote).empty());

    // A pass that fails (the local store dies at INBOX's first write, after Archive's commit)
    // keeps no token of its own scan: the old one or none.
    a.remote.add("INBOX", "three");
    const auto before = a.state.scan_token("INBOX", side::remote);
    a.local.fail_at(a.local.mutations + 1);
    EXPECT_TRUE(a.pass().any_error());
    a.local.crash();
    a.state.crash();
    const auto after = a.state.scan_token("INBOX", side::remote);
    EXPECT_TRUE(after.empty() || after == before) << after;
    EXPECT_FALSE(a.pass().any_error());
    EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
}

// Both sides able to tell an unchanged folder: IMAP with QRESYNC remotely, a Maildir (whose
// own changes void its token) locally.
struct skipping_account : account {
    skipping_account() {
        remote.enable_content_tokens(true);
        local.enable_content_tokens(false);
    }
    int scans() const { return remote.scans + local.scans; }
};

TEST(account_pass, a_folder_unchanged_on_both_sides_is_skipped_without_a_scan) {
    skipping_account a;
    a.remote.add("INBOX", "one", seen);
    a.local.add("Archive", "two");
    EXPECT_FALSE(a.pass().any_error());
    // The local side was written to: its token comes from a scan after the writes.
    EXPECT_FALSE(a.state.scan_token("INBOX", side::local).empty());
    EXPECT_FALSE(a.state.scan_token("INBOX", side::remote).empty());

    // The remote token predates the upload into Archive: one more full pass there.
    EXPECT_FALSE(a.pass().any_error());
    const int before = a.scans();
    const auto idle = a.pass();
    EXPECT_FALSE(idle.any_error());
    EXPECT_EQ(a.scans(), before) << "neither folder was scanned";
    ASSERT_EQ(idle.folders.size(), 2u);
    for (const auto& f : idle.folders)
        EXPECT_TRUE(f.plan.actions.empty()) << f.folder;
    EXPECT_EQ(a.state.records("INBOX").size(), 1u) << "the records stay";
    EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
}

TEST(account_pass, a_change_on_either_side_is_not_skipped) {
    skipping_account a;
    a.remote.add("INBOX", "one");
    EXPECT_FALSE(a.pass().any_error());
    EXPECT_FALSE(a.pass().any_error());

    // A flag on the server only.
    a.remote.working()["INBOX"].begin()->second.flags = flagged;
    a.remote.make_durable();
    EXPECT_FALSE(a.pass().any_error());
    EXPECT_EQ(a.local.durable().at("INBOX").begin()->second.flags, flagged);

    // Twice, to settle the tokens; then a message arrives locally only.
    EXPECT_FALSE(a.pass().any_error());
    a.local.add("INBOX", "two");
    EXPECT_FALSE(a.pass().any_error());
    EXPECT_EQ(a.remote.durable().at("INBOX").size(), 2u);

    // A deletion on the server only, in a folder whose local side is unchanged.
    EXPECT_FALSE(a.pass().any_error());
    a.remote.working()["INBOX"].erase(a.remote.working()["INBOX"].begin());
    a.remote.make_durable();
    EXPECT_FALSE(a.pass().any_error());
    EXPECT_EQ(a.local.durable().at("INBOX").size(), 1u);
    EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
}

TEST(account_pass, a_new_epoch_on_one_side_scans_the_other_in_full) {
    skipping_account a;
    a.remote.renumber("100");
    for (int i = 0; i < 3; ++i)
        a.remote.add("INBOX", "m" + std::to_string(i));
    EXPECT_FALSE(a.pass().any_error());
    ASSERT_FALSE(a.state.scan_token("INBOX", side::local).empty());
    a.remote.renumber("200"); // the records are void, so they cannot be the local scan's base
    a.local.last_base.reset();
    const auto r = a.pass();
    EXPECT_FALSE(r.any_error());
    EXPECT_EQ(r.copied[0] + r.copied[1], 0u);
    EXPECT_EQ(r.removed[0] + r.removed[1], 0u);
    EXPECT_EQ(r.linked, 3u);
    EXPECT_FALSE(a.local.last_base) << "scanned in full, not from its token";
    EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
}

TEST(account_pass, a_side_without_a_token_is_never_skipped) {
    skipping_account a;
    a.remote.add("INBOX", "one");
    EXPECT_FALSE(a.pass().any_error());
    EXPECT_FALSE(a.pass().any_error());
    // The state lost the local token (an older version, a failed pass): the folder is scanned.
    a.state.set_scan_token("INBOX", side::local, "");
    a.state.commit();
    a.local.working()["INBOX"].begin()->second.flags = seen;
    a.local.make_durable();
    const int before = a.local.scans;
    EXPECT_FALSE(a.pass().any_error());
    EXPECT_GT(a.local.scans, before);
    EXPECT_EQ(a.remote.durable().at("INBOX").begin()->second.flags, seen);
}

TEST(account_pass, no_rescan_after_own_changes_where_no_token_could_come_of_it) {
    skipping_account a;
    a.remote.add("INBOX", "one");
    // The Maildir changed just now (its mtimes are too young to vouch for a token).
    a.local.tokens_possible = false;
    const int before = a.local.scans;
    EXPECT_FALSE(a.pass().any_error());
    EXPECT_EQ(a.local.durable().at("INBOX").size(), 1u);
    // INBOX was written to and not scanned again; the untouched Archive keeps its scan's token.
    EXPECT_EQ(a.local.scans, before + 2) << "one scan per folder, no rescan of INBOX";
    EXPECT_TRUE(a.state.scan_token("INBOX", side::local).empty());
    EXPECT_FALSE(a.state.scan_token("Archive", side::local).empty());

    // Later the mtimes are old enough: the next pass scans INBOX in full and keeps its token,
    // and the one after skips it.
    a.local.tokens_possible = true;
    EXPECT_FALSE(a.pass().any_error());
    EXPECT_FALSE(a.state.scan_token("INBOX", side::local).empty());
    EXPECT_FALSE(a.pass().any_error());
    const int settled = a.scans();
    EXPECT_FALSE(a.pass().any_error());
    EXPECT_EQ(a.scans(), settled) << "nothing scanned";
    EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
}

TEST(account_pass, the_guard_counts_the_mail_of_skipped_folders) {
    skipping_account a;
    for (int i = 0; i < 20; ++i)
        a.remote.add("Archive", "a" + std::to_string(i));
    a.remote.add("INBOX", "one");
    EXPECT_FALSE(a.pass().any_error());
    EXPECT_FALSE(a.pass().any_error());
    // INBOX emptied locally while Archive, skipped, still has its mail: no "side looks empty".
    a.local.working()["INBOX"].clear();
    a.local.make_durable();
    const auto result = a.pass();
    EXPECT_FALSE(result.guard_tripped());
    EXPECT_TRUE(a.remote.durable().at("INBOX").empty());
}

TEST(account_pass, progress_counts_the_copies_of_each_folder) {
    account a;
    a.remote.add("INBOX", "12345");
    a.remote.add("INBOX", "123");
    a.local.add("INBOX", "1234567");
    std::vector<pass_progress> reports;
    pass_options options;
    options.on_progress = [&](const pass_progress& p) {
        reports.push_back(p);
    };
    a.pass(options);
    ASSERT_EQ(reports.size(), 3u);
    EXPECT_EQ(reports.back().folder, "INBOX");
    EXPECT_EQ(reports.back().done, 3u);
    EXPECT_EQ(reports.back().total, 3u);
    EXPECT_EQ(reports.back().bytes, 15u);
    EXPECT_EQ(reports.front().done, 1u);
}

TEST(account_pass, dry_run_changes_nothing) {
    account a;
    a.remote.add("INBOX", "new");
    pass_options dry;
    dry.dry_run = true;
    a.remote.add("Projects/New", "in a folder only the server has");
    const auto r = a.pass(dry);
    ASSERT_EQ(r.folders.size(), 3u);
    EXPECT_EQ(r.folders[1].folder, "INBOX");
    EXPECT_EQ(r.folders[1].plan.count(action_kind::copy, side::local), 1u);
    EXPECT_EQ(r.folders[2].folder, "Projects/New");
    EXPECT_EQ(r.folders[2].plan.count(action_kind::copy, side::local), 1u);
    EXPECT_FALSE(a.local.durable().contains("Projects/New"));
    EXPECT_TRUE(a.local.durable().empty() || a.local.durable().at("INBOX").empty());
    EXPECT_TRUE(a.state.records("INBOX").empty());
}

TEST(account_pass, the_guard_holds_back_a_wiped_maildir) {
    account a;
    for (int i = 0; i < 5; ++i)
        a.remote.add("INBOX", "m" + std::to_string(i));
    a.pass();
    a.local.working().clear(); // the Maildir's disk is not mounted
    a.local.make_durable();
    const auto r = a.pass();
    EXPECT_TRUE(r.guard_tripped());
    EXPECT_EQ(a.remote.durable().at("INBOX").size(), 5u);
}

TEST(account_pass, folders_created_on_either_side_appear_on_the_other) {
    account a;
    a.remote.add("Lists/dev", "from the list");
    a.local.working()["Reisen/Zürich"]["Lx"] = {"a local note", 0};
    a.local.make_durable();
    const auto r = a.pass();
    EXPECT_EQ(r.folders_created[0], 1u);
    EXPECT_EQ(r.folders_created[1], 1u);
    EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
    EXPECT_TRUE(a.state.folders().contains("Reisen/Zürich"));
    EXPECT_TRUE(a.state.folders().contains("Lists/dev"));
}

TEST(account_pass, a_folder_renamed_on_either_side_is_renamed_on_the_other) {
    for (int renamed_on : {0, 1}) {
        account a;
        for (int i = 0; i < 4; ++i)
            a.remote.add("Projects", "p" + std::to_string(i));
        a.pass();
        auto& side_store = renamed_on == 0 ? a.remote : a.local;
        auto node = side_store.working().extract("Projects");
        node.key() = "Archive/Projects";
        side_store.working().insert(std::move(node));
        side_store.make_durable();
        const int reads = a.remote.reads + a.local.reads;
        const auto r = a.pass();
        EXPECT_EQ(r.folders_renamed[1 - renamed_on], 1u) << renamed_on;
        EXPECT_EQ(r.copied[0] + r.copied[1] + r.removed[0] + r.removed[1], 0u) << renamed_on;
        EXPECT_EQ(a.remote.reads + a.local.reads, reads) << "no transfer for a rename";
        EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
        EXPECT_FALSE(a.remote.durable().contains("Projects"));
        for (const auto& f : a.pass().folders)
            EXPECT_TRUE(f.plan.actions.empty()) << f.folder;
    }
}

TEST(account_pass, a_folder_deleted_on_either_side_is_deleted_on_the_other) {
    for (int deleted_on : {0, 1}) {
        account a;
        a.remote.add("INBOX", "keeps the account from looking empty");
        for (int i = 0; i < 3; ++i)
            a.remote.add("Old", "o" + std::to_string(i));
        a.pass();
        auto& side_store = deleted_on == 0 ? a.remote : a.local;
        side_store.working().erase("Old");
        side_store.make_durable();
        const auto r = a.pass();
        EXPECT_FALSE(r.any_error());
        EXPECT_EQ(r.removed[1 - deleted_on], 3u) << deleted_on;
        EXPECT_EQ(r.folders_deleted[1 - deleted_on], 1u) << deleted_on;
        EXPECT_FALSE(a.remote.durable().contains("Old"));
        EXPECT_FALSE(a.local.durable().contains("Old"));
        EXPECT_FALSE(a.state.folders().contains("Old"));
    }
}

TEST(account_pass, deleting_a_big_folder_needs_force) {
    account a;
    a.remote.add("INBOX", "keeps the account from looking empty");
    for (int i = 0; i < 30; ++i)
        a.remote.add("Big", "b" + std::to_string(i));
    a.pass();
    a.local.working().erase("Big");
    a.local.make_durable();
    auto r = a.pass();
    EXPECT_TRUE(r.guard_tripped());
    for (const auto& f : r.folders)
        for (const auto& trip : f.plan.guard_trips)
            EXPECT_FALSE(trip.side_looks_empty);
    EXPECT_EQ(a.remote.durable().at("Big").size(), 30u);
    pass_options force;
    force.plan.force = true;
    r = a.pass(force);
    EXPECT_FALSE(a.remote.durable().contains("Big"));
}

// For each store in turn (remote, then local), on a fresh account from make(): kill the pass at
// its n-th mutating step from then on (what was not committed is lost), then check that the next
// pass repairs both sides to `expected` and that the pass after it plans nothing. Returns how many
// steps each store had.
template <class make_account>
std::array<int, 2> kill_at_every_step(const make_account& make, const pass_options& options,
                                      const mailbox_contents& expected) {
    std::array<int, 2> steps{};
    for (int victim = 0; victim < 2; ++victim) {
        for (int step = 0;; ++step, ++steps[victim]) {
            auto a = make();
            auto& dying = victim == 0 ? a->remote : a->local;
            dying.fail_at(dying.mutations + step);
            a->pass(options);
            if (!dying.dead())
                break; // the pass had fewer steps: every step was tried
            a->remote.crash();
            a->local.crash();
            a->state.crash();
            const auto repair = a->pass(options);
            EXPECT_FALSE(repair.any_error()) << "victim " << victim << " step " << step;
            EXPECT_EQ(contents(a->remote.durable()), expected)
                << "victim " << victim << " step " << step;
            EXPECT_EQ(contents(a->local.durable()), expected)
                << "victim " << victim << " step " << step;
            for (const auto& f : a->pass(options).folders)
                EXPECT_TRUE(f.plan.actions.empty()) << "victim " << victim << " step " << step;
        }
    }
    return steps;
}

// Kill the pass at every mutating step of either store (and what was not committed is lost),
// then run again: the result equals an uninterrupted run, nothing lost, nothing duplicated.
TEST(account_pass, a_pass_killed_at_any_step_is_repaired_by_the_next) {
    auto make = [] {
        auto a = std::make_unique<account>();
        for (int i = 0; i < 6; ++i)
            a->remote.add(i % 2 ? "INBOX" : "Archive", "server " + std::to_string(i),
                          i % 2 ? seen : 0);
        a->local.add("INBOX", "local 1");
        a->local.add("Archive", "local 2", flagged);
        a->remote.add("Projects/New", "in a folder the Maildir lacks");
        a->local.add("Notes", "in a folder the server lacks");
        return a;
    };
    auto reference = make();
    pass_options small_batches;
    small_batches.commit_every = 2;
    reference->pass(small_batches);
    const auto expected = contents(reference->remote.durable());
    ASSERT_EQ(expected, contents(reference->local.durable()));

    const auto steps = kill_at_every_step(make, small_batches, expected);
    // Remote: 2 uploads; local: 6 deliveries and commits in batches of 2.
    EXPECT_GE(steps[0], 2);
    EXPECT_GE(steps[1], 9);
}

// An initial sync of several folders, whose last commits and settling run behind the next
// folder's read: killed at any step, the next pass repairs it, and keeps no token it should not.
TEST(account_pass, an_initial_sync_killed_at_any_step_across_folders_is_repaired_by_the_next) {
    auto make = [] {
        auto a = std::make_unique<account>();
        a->remote.enable_tokens();
        for (const char* folder : {"INBOX", "Archive", "Sent"})
            for (int i = 0; i < 5; ++i)
                a->remote.add(folder, std::string(folder) + " " + std::to_string(i));
        return a;
    };
    pass_options small_batches;
    small_batches.commit_every = 2;
    auto reference = make();
    EXPECT_FALSE(reference->pass(small_batches).any_error());
    const auto expected = contents(reference->remote.durable());
    ASSERT_EQ(expected, contents(reference->local.durable()));
    const auto steps = kill_at_every_step(make, small_batches, expected);
    EXPECT_GE(steps[1], 15 + 6); // 15 deliveries, commits of 2, 2 and the rest per folder
}

// Flag changes in several folders are committed once (on a Maildir: each directory fsynced,
// one state transaction), not per folder; a pass killed at any step of them, before that
// commit, is repaired by the next as if it had run through.
TEST(account_pass, flag_changes_across_folders_commit_once_and_a_kill_is_repaired) {
    auto make = [] {
        auto a = std::make_unique<account>();
        a->remote.enable_content_tokens(true); // QRESYNC
        a->local.enable_content_tokens(false); // a Maildir's mtimes
        for (const char* folder : {"INBOX", "Archive", "Sent"})
            for (int i = 0; i < 3; ++i)
                a->remote.add(folder, std::string(folder) + " " + std::to_string(i));
        a->pass();
        // The server flags one message in each folder; a reader marks one of INBOX seen.
        for (auto& [folder, messages] : a->remote.working())
            messages.begin()->second.flags = flagged;
        a->remote.make_durable();
        a->local.working()["INBOX"].rbegin()->second.flags = seen;
        a->local.make_durable();
        return a;
    };
    auto reference = make();
    const int before = reference->local.mutations;
    const auto r = reference->pass();
    EXPECT_FALSE(r.any_error());
    EXPECT_EQ(r.flagged[1], 3u);
    // Three renames; the commits: after the folder step, of all three folders' flags (one per
    // folder before), the pass's last (empty) one.
    EXPECT_EQ(reference->local.mutations - before, 3 + 3);
    const auto expected = contents(reference->remote.durable());
    ASSERT_EQ(expected, contents(reference->local.durable()));

    const auto steps = kill_at_every_step(make, pass_options{}, expected);
    EXPECT_GE(steps[0], 1);
    EXPECT_GE(steps[1], 4);
}

} // namespace

namespace {

// A Maildir-like store whose first commit() of copied messages takes its time: it waits until the
// read begins another message meanwhile (or a deadline passes, so an engine that waits for it fails
// the test instead of hanging), noting what the state held then.
class slow_commit_store final : public postfach::sync::testing::forwarding_store {
public:
    slow_commit_store(store& next, memory_state& state)
        : forwarding_store(next)
        , state_(state) {}

    int begun_during_commit = 0;
    std::size_t records_while_committing = 0;
    int release_after = 1;  // messages begun during the held commit that end it
    bool timed_out = false; // the deadline ended it: the read did not go on

    task<std::error_code> begin_message(const new_message& message,
                                        std::unique_ptr<message_writer>& writer) override {
        ++begun_;
        if (release_ && ++begun_during_commit >= release_after)
            release_->cancel();
        co_return co_await next_.begin_message(message, writer);
    }
    task<std::error_code> commit() override {
        if (begun_ > 0 && !held_) { // the first commit of copied messages
            held_ = true;
            const auto executor = co_await boost::asio::this_coro::executor;
            release_.emplace(executor, std::chrono::seconds(5));
            const auto [ec] =
                co_await release_->async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            timed_out = !ec;
            release_.reset();
            records_while_committing = state_.records("INBOX").size();
        }
        co_return co_await next_.commit();
    }

private:
    memory_state& state_;
    int begun_ = 0;
    bool held_ = false;
    std::optional<boost::asio::steady_timer> release_;
};

TEST(account_pass, the_download_goes_on_while_a_batch_commits_and_is_recorded_after_it) {
    account a;
    for (int i = 0; i < 6; ++i)
        a.remote.add("INBOX", "message " + std::to_string(i));
    slow_commit_store local(a.local, a.state);
    pass_options options;
    options.commit_every = 2;
    const auto result = run_pass(a.remote, local, a.state, options);
    EXPECT_FALSE(result.any_error());
    EXPECT_GE(local.begun_during_commit, 1) << "the read waited for the commit";
    EXPECT_EQ(local.records_while_committing, 0U) << "recorded before its commit was done";
    EXPECT_EQ(a.state.records("INBOX").size(), 6U);
    EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
}

// While a batch commits, the next one grows past commit_every (up to twice as big) instead of
// the read waiting: with batches of 2, the read begins the 3rd message after the held commit's
// batch, which a read waiting at the next full batch never does.
TEST(account_pass, a_slow_commit_lets_the_next_batch_grow_instead_of_holding_the_read) {
    account a;
    for (int i = 0; i < 10; ++i)
        a.remote.add("INBOX", "message " + std::to_string(i));
    slow_commit_store local(a.local, a.state);
    local.release_after = 3;
    pass_options options;
    options.commit_every = 2;
    const auto result = run_pass(a.remote, local, a.state, options);
    EXPECT_FALSE(result.any_error());
    EXPECT_FALSE(local.timed_out) << "the read waited for the commit at the next full batch";
    EXPECT_GE(local.begun_during_commit, 3);
    EXPECT_EQ(local.records_while_committing, 0U) << "recorded before its commit was done";
    EXPECT_EQ(a.state.records("INBOX").size(), 10U);
    EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
}

// Notes how many messages each commit of the store covers.
class batch_noting_store final : public postfach::sync::testing::forwarding_store {
public:
    using forwarding_store::forwarding_store;
    std::vector<int> batches; // messages begun since the commit before, per commit with any

    task<std::error_code> begin_message(const new_message& message,
                                        std::unique_ptr<message_writer>& writer) override {
        ++since_commit_;
        return next_.begin_message(message, writer);
    }
    task<std::error_code> commit() override {
        if (since_commit_ > 0)
            batches.push_back(std::exchange(since_commit_, 0));
        return next_.commit();
    }

private:
    int since_commit_ = 0;
};

// A folder's last few messages (under half a batch) go with the last batch: one commit at the
// folder's end, where the read waits for it, not a batch and then the rest.
TEST(account_pass, the_last_few_messages_of_a_folder_join_its_last_batch) {
    for (const int messages : {9, 11}) {
        account a;
        for (int i = 0; i < messages; ++i)
            a.remote.add("INBOX", "message " + std::to_string(i));
        batch_noting_store local(a.local);
        pass_options options;
        options.commit_every = 4;
        EXPECT_FALSE(run_pass(a.remote, local, a.state, options).any_error());
        // 9: 4, then 4 + the 1 left; 11: 4, 4, then the 3 left (not under half a batch).
        const std::vector<int> expected =
            messages == 9 ? std::vector<int>{4, 5} : std::vector<int>{4, 4, 3};
        EXPECT_EQ(local.batches, expected) << messages << " messages";
        EXPECT_EQ(a.state.records("INBOX").size(), static_cast<std::size_t>(messages));
        EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
    }
}

} // namespace

namespace {

// Notes the scans and batch reads of the store it wraps, in order ("scan F", "read F"). A commit
// of the local store (`held_commits`) may wait until this store scans a folder.
class call_log_store final : public postfach::sync::testing::forwarding_store {
public:
    using forwarding_store::forwarding_store;

    std::vector<std::string> calls;
    bool read_done = false; // a batch read ended
    std::optional<boost::asio::steady_timer> read_awaited;

    task<std::error_code> scan(const std::string& folder, folder_scan& scan) override {
        calls.push_back("scan " + folder);
        co_return co_await next_.scan(folder, scan);
    }
    // "expect A, B since": the scans hinted, in order, each in full or from a token.
    void expect_scans(std::vector<expected_scan> scans) override {
        std::string call = "expect";
        for (const auto& e : scans)
            call += (call == "expect" ? " " : ", ") + e.folder + (e.token.empty() ? "" : " since");
        calls.push_back(call);
        forwarding_store::expect_scans(std::move(scans));
    }
    task<std::error_code> read_messages(const std::string& folder,
                                        const std::vector<std::string>& ids,
                                        message_receiver& receiver) override {
        calls.push_back("read " + folder);
        if (read_awaited)
            read_awaited->cancel();
        const auto ec = co_await next_.read_messages(folder, ids, receiver);
        read_done = true;
        co_return ec;
    }
};

// A local store whose first commit after a batch read of the remote ended (a folder's last) waits
// until the remote begins its next batch read (or a deadline passes, so an engine that waits for
// the commit before reading on fails the test instead of hanging), noting the remote's calls and
// the records of the folder then. `fail`: that commit then fails.
class last_commit_waits_for_read_store final : public postfach::sync::testing::forwarding_store {
public:
    last_commit_waits_for_read_store(store& next, call_log_store& remote, memory_state& state,
                                     std::string folder)
        : forwarding_store(next)
        , remote_(remote)
        , state_(state)
        , folder_(std::move(folder)) {}

    bool fail = false;
    bool timed_out = false;
    std::vector<std::string> calls_then;
    std::size_t records_then = 0;

    task<std::error_code> commit() override {
        if (remote_.read_done && !held_) {
            held_ = true;
            const auto executor = co_await boost::asio::this_coro::executor;
            remote_.read_awaited.emplace(executor, std::chrono::seconds(5));
            const auto [ec] = co_await remote_.read_awaited->async_wait(
                boost::asio::as_tuple(boost::asio::use_awaitable));
            remote_.read_awaited.reset();
            timed_out = !ec;
            calls_then = remote_.calls;
            records_then = state_.records(folder_).size();
            if (fail)
                co_return std::make_error_code(std::errc::io_error);
        }
        co_return co_await next_.commit();
    }

private:
    call_log_store& remote_;
    memory_state& state_;
    std::string folder_;
    bool held_ = false;
};

pass_result run_logged_pass(account& a, call_log_store& remote, store& local,
                            pass_options options = {}) {
    return run_pass(remote, local, a.state, options);
}

// An initial sync (the state knows no message) cannot pair a message gone from one folder with
// one in another, so each folder is applied right after its scan: the server's folder is still
// selected for the read, and the Maildir writes while the next folders are scanned. Before each
// read the store hears which folder it scans next (expect_scans). A pass over known mail still
// scans every folder before changing any (a move spans two folders), and the stores hear of all
// those scans first.
TEST(account_pass, an_initial_sync_reads_each_folder_right_after_its_scan) {
    account a;
    for (const char* folder : {"INBOX", "Archive", "Sent"})
        for (int i = 0; i < 3; ++i)
            a.remote.add(folder, std::string(folder) + " " + std::to_string(i));
    call_log_store remote(a.remote);
    const auto first = run_logged_pass(a, remote, a.local);
    EXPECT_FALSE(first.any_error());
    EXPECT_EQ(first.copied[1], 9U);
    EXPECT_EQ(remote.calls, (std::vector<std::string>{"scan Archive", "expect INBOX",
                                                      "read Archive", "scan INBOX", "expect Sent",
                                                      "read INBOX", "scan Sent", "read Sent"}));
    EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));

    // Known mail: one message moved on the server, one new in another folder.
    auto& inbox = a.remote.working()["INBOX"];
    const auto moved = inbox.begin();
    a.remote.working()["Sent"]["moved"] = moved->second;
    inbox.erase(moved);
    a.remote.add("Archive", "new in Archive");
    remote.calls.clear();
    const int reads_before = a.remote.reads;
    const auto second = run_logged_pass(a, remote, a.local);
    EXPECT_FALSE(second.any_error());
    EXPECT_EQ(second.moved[1], 1U);
    EXPECT_EQ(a.remote.reads - reads_before, 1) << "the move was transferred";
    EXPECT_EQ(remote.calls, (std::vector<std::string>{"expect Archive, INBOX, Sent", "scan Archive",
                                                      "scan INBOX", "scan Sent", "read Archive"}));
    EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
}

// A hint names the token each scan starts from: a folder the state holds a scan token for (here,
// every folder was empty in the last pass) is scanned from it, and a store that sent a full scan
// early there would have sent commands that scan cannot use. A folder new since then is
// scanned in full.
TEST(account_pass, a_hint_names_the_token_each_scan_starts_from) {
    account a;
    a.remote.enable_tokens();
    for (auto* s : {&a.remote, &a.local}) {
        for (const char* folder : {"Archive", "INBOX", "Sent"})
            s->working()[folder];
        s->make_durable();
    }
    call_log_store remote(a.remote);
    EXPECT_FALSE(run_logged_pass(a, remote, a.local).any_error());
    ASSERT_FALSE(a.state.scan_token("INBOX", side::remote).empty());

    for (const char* folder : {"Archive", "INBOX", "Lists", "Sent"})
        a.remote.add(folder, std::string("new in ") + folder);
    remote.calls.clear();
    const auto second = run_logged_pass(a, remote, a.local);
    EXPECT_FALSE(second.any_error());
    EXPECT_EQ(second.copied[1], 4U);
    EXPECT_EQ(remote.calls, (std::vector<std::string>{
                                "scan Archive", "expect INBOX since", "read Archive", "scan INBOX",
                                "expect Lists", "read INBOX", "scan Lists", "expect Sent since",
                                "read Lists", "scan Sent", "read Sent"}));
    EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
}

// In an initial sync a folder's last batch commits while the next folders are scanned and the next
// one is read: neither the server nor the Maildir waits for the other at a folder's end. The
// batch is recorded only once committed. An empty folder between them is scanned too, so the
// folder scanned last is the one read next.
TEST(account_pass, an_initial_sync_reads_the_next_folder_while_a_folder_commits_its_last_batch) {
    account a;
    for (const char* folder : {"INBOX", "Archive"})
        for (int i = 0; i < 3; ++i)
            a.remote.add(folder, std::string(folder) + " " + std::to_string(i));
    for (auto* s : {&a.remote, &a.local}) {
        s->working()["Drafts"]; // empty on both sides, between Archive and INBOX
        s->make_durable();
    }
    call_log_store remote(a.remote);
    last_commit_waits_for_read_store local(a.local, remote, a.state, "Archive");
    pass_options options;
    options.commit_every = 2; // a batch of 2 commits behind the read, the last one after it
    const auto result = run_logged_pass(a, remote, local, options);
    EXPECT_FALSE(result.any_error());
    EXPECT_FALSE(local.timed_out) << "the next read waited for Archive's last commit";
    EXPECT_EQ(local.calls_then,
              (std::vector<std::string>{"scan Archive", "expect Drafts", "read Archive",
                                        "scan Drafts", "scan INBOX", "read INBOX"}));
    EXPECT_EQ(local.records_then, 2U) << "the last batch was recorded before its commit";
    EXPECT_EQ(a.state.records("Archive").size(), 3U);
    EXPECT_EQ(a.state.records("INBOX").size(), 3U);
    EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
}

// A folder's last commit that fails while the next folder is read fails that folder only: its
// outcome says so, its last batch is not recorded, it keeps no scan token; the next folder syncs.
// The next pass repairs the folder without a duplicate.
TEST(account_pass, a_failed_last_commit_fails_its_folder_only_while_the_next_one_syncs) {
    account a;
    a.remote.enable_tokens();
    for (const char* folder : {"INBOX", "Archive"})
        for (int i = 0; i < 3; ++i)
            a.remote.add(folder, std::string(folder) + " " + std::to_string(i));
    call_log_store remote(a.remote);
    last_commit_waits_for_read_store local(a.local, remote, a.state, "Archive");
    local.fail = true;
    pass_options options;
    options.commit_every = 2;
    const auto result = run_logged_pass(a, remote, local, options);
    EXPECT_FALSE(local.timed_out);
    ASSERT_EQ(result.folders.size(), 2U);
    EXPECT_EQ(result.folders[0].folder, "Archive");
    EXPECT_TRUE(result.folders[0].error);
    EXPECT_EQ(result.folders[1].folder, "INBOX");
    EXPECT_FALSE(result.folders[1].error) << result.folders[1].error_detail;
    EXPECT_EQ(a.state.records("Archive").size(), 2U);
    EXPECT_EQ(a.state.records("INBOX").size(), 3U);
    EXPECT_EQ(a.state.scan_token("Archive", side::remote), "");
    EXPECT_FALSE(a.state.scan_token("INBOX", side::remote).empty());

    const auto repair = run_pass(a.remote, a.local, a.state, options);
    EXPECT_FALSE(repair.any_error());
    EXPECT_EQ(a.state.records("Archive").size(), 3U);
    EXPECT_EQ(a.local.durable().at("Archive").size(), 3U);
    EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
}

// A state whose commit completes later (as the SQLite one's, on a thread of its own), noting
// every change made while one runs: the contract allows none.
class async_commit_state final : public postfach::sync::sync_state {
public:
    explicit async_commit_state(memory_state& next)
        : next_(next) {}
    int changes_while_committing = 0;
    int commits = 0;

    std::error_code known_folders(std::vector<std::string>& folders) override {
        return next_.known_folders(folders);
    }
    void add_folder(const std::string& folder) override {
        changed();
        next_.add_folder(folder);
    }
    void rename_folder(const std::string& from, const std::string& to) override {
        changed();
        next_.rename_folder(from, to);
    }
    void forget_folder(const std::string& folder) override {
        changed();
        next_.forget_folder(folder);
    }
    std::string epoch(const std::string& folder, side s) override { return next_.epoch(folder, s); }
    void set_epoch(const std::string& folder, side s, const std::string& epoch) override {
        changed();
        next_.set_epoch(folder, s, epoch);
    }
    std::string scan_token(const std::string& folder, side s) override {
        return next_.scan_token(folder, s);
    }
    void set_scan_token(const std::string& folder, side s, const std::string& token) override {
        changed();
        next_.set_scan_token(folder, s, token);
    }
    std::error_code load(const std::string& folder, std::vector<synced_message>& records) override {
        return next_.load(folder, records);
    }
    void put(const std::string& folder, const synced_message* previous,
             const synced_message& record) override {
        changed();
        next_.put(folder, previous, record);
    }
    void erase(const std::string& folder, const synced_message& record) override {
        changed();
        next_.erase(folder, record);
    }
    std::error_code commit() override { return next_.commit(); }
    boost::asio::awaitable<std::error_code>
    async_commit_changes(std::vector<record_change>& changes) override {
        committing_ = true;
        ++commits;
        const auto executor = co_await boost::asio::this_coro::executor;
        for (int i = 0; i < 3; ++i) // the loop goes on meanwhile
            co_await boost::asio::post(executor, boost::asio::use_awaitable);
        for (const auto& c : changes) // as the SQLite state does: on its thread, not counted
            next_.apply(c);
        committing_ = false;
        co_return next_.commit();
    }
    void rollback() override { next_.rollback(); }

private:
    void changed() { changes_while_committing += committing_ ? 1 : 0; }
    memory_state& next_;
    bool committing_ = false;
};

// In a streamed pass the reads go on while the commits behind them run, across folders; the
// state changes (records, epochs, tokens of the folders settled) only between its commits.
TEST(account_pass, an_initial_sync_changes_the_state_only_between_its_commits) {
    account a;
    a.remote.enable_tokens();
    for (const char* folder : {"INBOX", "Archive", "Sent"})
        for (int i = 0; i < 5; ++i)
            a.remote.add(folder, std::string(folder) + " " + std::to_string(i));
    async_commit_state state(a.state);
    pass_options options;
    options.commit_every = 2;
    const auto result = run_pass(a.remote, a.local, state, options);
    EXPECT_FALSE(result.any_error());
    EXPECT_GT(state.commits, 3);
    EXPECT_EQ(state.changes_while_committing, 0);
    for (const char* folder : {"INBOX", "Archive", "Sent"}) {
        EXPECT_EQ(a.state.records(folder).size(), 5U) << folder;
        EXPECT_FALSE(a.state.scan_token(folder, side::remote).empty()) << folder;
    }
    EXPECT_EQ(contents(a.remote.durable()), contents(a.local.durable()));
    EXPECT_FALSE(run_pass(a.remote, a.local, a.state, options).any_error());
}

} // namespace
