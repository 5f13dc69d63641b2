// The three-way planner on in-memory sides: each rule of design.md §4 on both sides, the
// deletion guard, moves, and — applying plans to in-memory stores — convergence and idempotence
// under random changes.

#include "sync/folder_planner.hpp"

#include <gtest/gtest.h>
#include <map>
#include <random>

namespace {

using namespace postfach::sync;

using namespace flag_bit; // draft, flagged, forwarded, answered, seen, deleted

constexpr int R = 0; // index of side::remote
constexpr int L = 1; // index of side::local

// One folder on both sides plus its state, with an applier that carries out plans as the real
// stores would: the test double of the whole pass.
struct world {
    std::array<std::map<std::string, scanned_message>, 2> sides;
    std::vector<synced_message> records;
    unsigned next_id = 1000;

    std::array<std::vector<scanned_message>, 2> scans() const {
        std::array<std::vector<scanned_message>, 2> out;
        for (int s = 0; s < 2; ++s)
            for (const auto& [id, m] : sides[s])
                out[s].push_back(m);
        return out;
    }

    void put(int s, const std::string& id, flag_bits flags, const std::string& identity) {
        sides[s][id] = {id, flags, identity};
    }

    void pair(const std::string& remote, const std::string& local, flag_bits flags,
              const std::string& identity) {
        put(R, remote, flags, identity);
        put(L, local, flags, identity);
        records.push_back({{remote, local}, flags, identity});
    }

    folder_plan plan(const plan_options& options = {}) const {
        return plan_folder("INBOX", records, scans(), options);
    }

    void apply(const folder_plan& plan) {
        std::vector<bool> drop(records.size(), false);
        std::vector<synced_message> added;
        for (const auto& a : plan.actions) {
            const int t = static_cast<int>(a.target);
            switch (a.kind) {
            case action_kind::copy: {
                const int from = 1 - t;
                const auto& source = sides[from].at(*a.ids[from]);
                const auto id = "n" + std::to_string(next_id++);
                sides[t][id] = {id, source.flags, source.identity};
                std::array<std::optional<std::string>, 2> ids{source.id, id};
                if (from == L)
                    std::swap(ids[0], ids[1]);
                if (a.record_index)
                    drop[*a.record_index] = true;
                added.push_back({ids, a.flags, source.identity});
                break;
            }
            case action_kind::store_flags: {
                auto& m = sides[t].at(*a.ids[t]);
                m.flags = static_cast<flag_bits>((m.flags | a.add) & ~a.remove);
                if (a.record_index) {
                    records[*a.record_index].ids = a.ids; // as the engine records it
                    records[*a.record_index].flags = a.flags;
                } else {
                    upsert(added, a);
                }
                break;
            }
            case action_kind::remove:
                sides[t].erase(*a.ids[t]);
                drop[*a.record_index] = true;
                break;
            case action_kind::link:
                upsert(added, a);
                break;
            case action_kind::forget:
                drop[*a.record_index] = true;
                break;
            case action_kind::record:
                records[*a.record_index].ids = a.ids;
                records[*a.record_index].flags = a.flags;
                break;
            case action_kind::move:
                FAIL() << "moves need several folders";
            }
        }
        std::vector<synced_message> kept;
        for (std::size_t i = 0; i < records.size(); ++i)
            if (!drop[i])
                kept.push_back(records[i]);
        kept.insert(kept.end(), added.begin(), added.end());
        records = std::move(kept);
    }

    // A link and the flag stores that go with it all describe one new record.
    static void upsert(std::vector<synced_message>& added, const action& a) {
        for (auto& r : added)
            if (r.ids == a.ids) {
                r.flags = a.flags;
                return;
            }
        added.push_back({a.ids, a.flags, a.identity});
    }
};

TEST(folder_planner, nothing_changed_plans_nothing) {
    world w;
    w.pair("1", "a", seen, "m1");
    w.pair("2", "b", 0, "m2");
    EXPECT_TRUE(w.plan().actions.empty());
}

TEST(folder_planner, a_flag_change_on_either_side_goes_to_the_other) {
    for (int changed : {R, L}) {
        world w;
        w.pair("1", "a", 0, "m1");
        w.sides[changed][changed == R ? "1" : "a"].flags = seen;
        const auto p = w.plan();
        ASSERT_EQ(p.actions.size(), 1u);
        const auto& a = p.actions[0];
        EXPECT_EQ(a.kind, action_kind::store_flags);
        EXPECT_EQ(static_cast<int>(a.target), 1 - changed);
        EXPECT_EQ(a.add, seen);
        EXPECT_EQ(a.remove, 0);
        EXPECT_EQ(a.flags, seen);
        w.apply(p);
        EXPECT_TRUE(w.plan().actions.empty());
        EXPECT_EQ(w.sides[1 - changed].begin()->second.flags, seen);
    }
}

TEST(folder_planner, different_flags_changed_on_both_sides_merge) {
    world w;
    w.pair("1", "a", seen, "m1");
    w.sides[R]["1"].flags = seen | flagged; // remote flagged it
    w.sides[L]["a"].flags = 0;              // local marked it unread
    const auto p = w.plan();
    w.apply(p);
    EXPECT_EQ(w.sides[R]["1"].flags, flagged);
    EXPECT_EQ(w.sides[L]["a"].flags, flagged);
    EXPECT_EQ(w.records[0].flags, flagged);
    EXPECT_TRUE(w.plan().actions.empty());
}

TEST(folder_planner, a_deletion_on_either_side_is_replayed) {
    for (int deleted : {R, L}) {
        world w;
        w.pair("1", "a", seen, "m1");
        w.pair("2", "b", seen, "m2");
        w.sides[deleted].erase(deleted == R ? "1" : "a");
        const auto p = w.plan();
        ASSERT_EQ(p.actions.size(), 1u);
        EXPECT_EQ(p.actions[0].kind, action_kind::remove);
        EXPECT_EQ(static_cast<int>(p.actions[0].target), 1 - deleted);
        w.apply(p);
        EXPECT_EQ(w.sides[R].size(), 1u);
        EXPECT_EQ(w.sides[L].size(), 1u);
        EXPECT_EQ(w.records.size(), 1u);
        EXPECT_TRUE(w.plan().actions.empty());
    }
}

TEST(folder_planner, deleted_on_one_side_and_changed_on_the_other_is_kept) {
    for (int deleted : {R, L}) {
        world w;
        w.pair("1", "a", 0, "m1");
        w.sides[deleted].erase(deleted == R ? "1" : "a");
        w.sides[1 - deleted].begin()->second.flags = flagged;
        const auto p = w.plan();
        ASSERT_EQ(p.actions.size(), 1u);
        EXPECT_EQ(p.actions[0].kind, action_kind::copy);
        EXPECT_EQ(static_cast<int>(p.actions[0].target), deleted);
        w.apply(p);
        ASSERT_EQ(w.sides[deleted].size(), 1u);
        EXPECT_EQ(w.sides[deleted].begin()->second.flags, flagged);
        EXPECT_EQ(w.records.size(), 1u);
        EXPECT_TRUE(w.plan().actions.empty());
    }
}

TEST(folder_planner, a_message_renumbered_on_either_side_keeps_its_pair_and_transfers_nothing) {
    for (int renumbered : {R, L}) {
        world w;
        w.pair("1", "a", 0, "m1");
        w.pair("2", "b", seen, "m2");
        w.pair("3", "c", 0, "m3");
        // Every id changes on one side (a server that renumbered its UIDs under the same
        // UIDVALIDITY); meanwhile the other side flagged m1.
        auto old = w.sides[renumbered];
        w.sides[renumbered].clear();
        for (const auto& [id, m] : old)
            w.put(renumbered, id + "'", m.flags, m.identity);
        const int other = 1 - renumbered;
        w.sides[other][other == R ? "1" : "a"].flags = flagged;

        const auto p = w.plan();
        EXPECT_EQ(p.count(action_kind::copy), 0u) << "nothing transferred";
        EXPECT_EQ(p.count(action_kind::remove), 0u) << "nothing deleted";
        EXPECT_EQ(p.count(action_kind::record), 2u) << "new ids recorded";
        ASSERT_EQ(p.count(action_kind::store_flags), 1u);
        for (const auto& a : p.actions)
            if (a.kind == action_kind::store_flags) {
                EXPECT_EQ(static_cast<int>(a.target), renumbered);
                EXPECT_EQ(*a.ids[renumbered], renumbered == R ? "1'" : "a'");
                EXPECT_EQ(a.add, flagged);
            }
        w.apply(p);
        EXPECT_TRUE(w.plan().actions.empty());
        ASSERT_EQ(w.records.size(), 3u);
        for (const auto& r : w.records)
            EXPECT_TRUE(r.id(static_cast<side>(renumbered))->ends_with("'"));
    }
}

TEST(folder_planner, a_renumbered_message_is_told_apart_from_a_deletion_and_a_new_one) {
    world w;
    w.pair("1", "a", 0, "m1");
    w.pair("2", "b", 0, "m2");
    w.sides[R].erase("1");
    w.sides[R].erase("2");
    w.put(R, "7", 0, "m2"); // m2 under a new UID, m1 deleted, m3 new
    w.put(R, "8", 0, "m3");
    const auto p = w.plan();
    EXPECT_EQ(p.count(action_kind::remove, side::local), 1u);
    EXPECT_EQ(p.count(action_kind::copy, side::local), 1u);
    EXPECT_EQ(p.count(action_kind::record), 1u);
    w.apply(p);
    EXPECT_TRUE(w.plan().actions.empty());
    EXPECT_EQ(w.sides[L].size(), 2u);
    EXPECT_EQ(w.records.size(), 2u);
}

TEST(folder_planner, gone_from_both_sides_is_forgotten) {
    world w;
    w.pair("1", "a", 0, "m1");
    w.sides[R].clear();
    w.sides[L].clear();
    plan_options o;
    const auto p = w.plan(o);
    ASSERT_EQ(p.actions.size(), 1u);
    EXPECT_EQ(p.actions[0].kind, action_kind::forget);
    EXPECT_TRUE(p.guard_trips.empty());
}

TEST(folder_planner, new_messages_on_either_side_are_copied) {
    world w;
    w.put(R, "7", seen, "server-new");
    w.put(L, "x", flagged, "local-new");
    const auto p = w.plan();
    EXPECT_EQ(p.count(action_kind::copy, side::local), 1u);
    EXPECT_EQ(p.count(action_kind::copy, side::remote), 1u);
    w.apply(p);
    EXPECT_EQ(w.sides[R].size(), 2u);
    EXPECT_EQ(w.sides[L].size(), 2u);
    EXPECT_EQ(w.records.size(), 2u);
    EXPECT_TRUE(w.plan().actions.empty());
}

TEST(folder_planner, the_same_message_new_on_both_sides_is_linked_not_copied) {
    // A first sync over an existing Maildir, or UIDVALIDITY changed: no transfer, no duplicate,
    // and flags set on either side win.
    world w;
    w.put(R, "1", seen, "same");
    w.put(L, "a", flagged, "same");
    w.put(R, "2", 0, "twin");
    w.put(R, "3", 0, "twin");
    w.put(L, "b", 0, "twin");
    const auto p = w.plan();
    EXPECT_EQ(p.count(action_kind::link), 2u);
    EXPECT_EQ(p.count(action_kind::copy, side::local), 1u) << "the second twin is new";
    EXPECT_EQ(p.count(action_kind::copy, side::remote), 0u);
    w.apply(p);
    EXPECT_EQ(w.sides[R]["1"].flags, seen | flagged);
    EXPECT_EQ(w.sides[L]["a"].flags, seen | flagged);
}

TEST(folder_planner, messages_without_identity_are_never_linked) {
    world w;
    w.put(R, "1", 0, "");
    w.put(L, "a", 0, "");
    const auto p = w.plan();
    EXPECT_EQ(p.count(action_kind::link), 0u);
    EXPECT_EQ(p.count(action_kind::copy), 2u);
}

TEST(folder_planner, pull_never_changes_the_server) {
    plan_options pull;
    pull.may_change[R] = false;
    world w;
    w.pair("1", "a", 0, "m1");
    w.pair("2", "b", 0, "m2");
    w.put(L, "new", 0, "local-only");
    w.sides[L]["a"].flags = seen;    // a local change stays local
    w.sides[L].erase("b");           // a local deletion is not replayed
    w.sides[R]["1"].flags = flagged; // a server change still arrives
    auto p = w.plan(pull);
    for (const auto& a : p.actions)
        EXPECT_NE(a.target == side::remote && a.kind != action_kind::record, true)
            << "action on the server in pull mode";
    w.apply(p);
    EXPECT_EQ(w.sides[L]["a"].flags, seen | flagged);
    EXPECT_EQ(w.sides[R]["1"].flags, flagged);
    EXPECT_EQ(w.sides[R].size(), 2u);
    // Stable: the next pass neither pushes nor reverts the local-only changes.
    EXPECT_TRUE(w.plan(pull).actions.empty());
    // A later server change to the same flag still arrives.
    w.sides[R]["1"].flags = flagged | answered;
    p = w.plan(pull);
    w.apply(p);
    EXPECT_EQ(w.sides[L]["a"].flags, seen | flagged | answered);
    EXPECT_TRUE(w.plan(pull).actions.empty());
}

TEST(folder_planner, push_never_changes_local_mail) {
    plan_options push;
    push.may_change[L] = false;
    world w;
    w.pair("1", "a", 0, "m1");
    w.put(R, "9", 0, "server-only");
    w.sides[R]["1"].flags = seen;
    const auto p = w.plan(push);
    for (const auto& a : p.actions)
        EXPECT_FALSE(a.target == side::local && a.kind != action_kind::record);
    w.apply(p);
    EXPECT_EQ(w.sides[L]["a"].flags, 0);
    EXPECT_TRUE(w.plan(push).actions.empty());
}

TEST(folder_planner, expunge_rules_leave_a_tombstone_instead_of_deleting) {
    plan_options keep_server;
    keep_server.may_delete[R] = false; // expunge: local
    world w;
    w.pair("1", "a", 0, "m1");
    w.sides[L].erase("a");
    auto p = w.plan(keep_server);
    ASSERT_EQ(p.actions.size(), 1u);
    EXPECT_EQ(p.actions[0].kind, action_kind::record);
    EXPECT_FALSE(p.actions[0].id(side::local));
    w.apply(p);
    EXPECT_EQ(w.sides[R].size(), 1u);
    // Never copied back, and forgotten once the server copy goes too.
    EXPECT_TRUE(w.plan(keep_server).actions.empty());
    w.sides[R].clear();
    p = w.plan(keep_server);
    ASSERT_EQ(p.actions.size(), 1u);
    EXPECT_EQ(p.actions[0].kind, action_kind::forget);
}

TEST(folder_planner, deletion_guard_holds_back_mass_deletions) {
    world w;
    for (int i = 0; i < 30; ++i)
        w.pair(std::to_string(i), "f" + std::to_string(i), 0, "m" + std::to_string(i));
    for (int i = 0; i < 20; ++i)
        w.sides[L].erase("f" + std::to_string(i));
    auto p = w.plan();
    EXPECT_EQ(p.count(action_kind::remove), 0u);
    ASSERT_EQ(p.guard_trips.size(), 1u);
    EXPECT_EQ(p.guard_trips[0].target, side::remote);
    EXPECT_EQ(p.guard_trips[0].deletions, 20u);
    EXPECT_EQ(p.guard_trips[0].messages, 30u);
    EXPECT_FALSE(p.guard_trips[0].side_looks_empty);
    plan_options force;
    force.force = true;
    EXPECT_EQ(w.plan(force).count(action_kind::remove, side::remote), 20u);
    // Below the fraction, or at most the minimum, deletions go ahead.
    plan_options lax;
    lax.max_delete_fraction = 0.9;
    EXPECT_EQ(w.plan(lax).count(action_kind::remove), 20u);
}

TEST(folder_planner, deletion_guard_ignores_a_few_deletions) {
    world w;
    for (int i = 0; i < 12; ++i)
        w.pair(std::to_string(i), "f" + std::to_string(i), 0, "m" + std::to_string(i));
    for (int i = 0; i < 10; ++i)
        w.sides[R].erase(std::to_string(i));
    const auto p = w.plan();
    EXPECT_EQ(p.count(action_kind::remove, side::local), 10u);
    EXPECT_TRUE(p.guard_trips.empty());
}

TEST(folder_planner, deletion_guard_stops_a_wiped_side) {
    // A missing mount or a wiped Maildir: few messages, but the side looks empty.
    world w;
    w.pair("1", "a", 0, "m1");
    w.pair("2", "b", 0, "m2");
    w.sides[L].clear();
    plan_options o;
    o.side_looks_empty[L] = true; // the caller saw every local folder empty
    const auto p = w.plan(o);
    EXPECT_EQ(p.count(action_kind::remove), 0u);
    ASSERT_EQ(p.guard_trips.size(), 1u);
    EXPECT_EQ(p.guard_trips[0].target, side::remote);
    EXPECT_TRUE(p.guard_trips[0].side_looks_empty);
    o.force = true;
    EXPECT_EQ(w.plan(o).count(action_kind::remove, side::remote), 2u);
}

TEST(folder_planner, moves_between_folders_are_detected_on_both_sides) {
    for (int moved_on : {R, L}) {
        const side target = moved_on == R ? side::local : side::remote;
        // Folder A had the message; on `moved_on` it left A and arrived in B.
        std::vector<synced_message> records_a{{{std::string("1"), std::string("a")}, seen, "m"}};
        std::array<std::vector<scanned_message>, 2> scans_a, scans_b;
        scans_a[1 - moved_on].push_back({moved_on == R ? "a" : "1", seen, "m"});
        scans_b[moved_on].push_back({moved_on == R ? "5" : "a", seen, "m"});
        std::vector<folder_plan> plans{plan_folder("A", records_a, scans_a, {}),
                                       plan_folder("B", {}, scans_b, {})};
        detect_moves(plans);
        EXPECT_TRUE(plans[0].actions.empty());
        ASSERT_EQ(plans[1].actions.size(), 1u);
        const auto& m = plans[1].actions[0];
        EXPECT_EQ(m.kind, action_kind::move);
        EXPECT_EQ(m.target, target);
        EXPECT_EQ(m.from_folder, "A");
        EXPECT_EQ(m.id(side::remote), moved_on == R ? "5" : "1");
        EXPECT_EQ(m.id(side::local), "a");
        EXPECT_EQ(m.record_index, 0u);
    }
}

TEST(folder_planner, a_move_takes_the_flags_changed_since_the_last_pass_along) {
    // Since the last pass: moved from A to B on one side and re-flagged there (seen cleared,
    // flagged set). The other side's copy moves and gets the same flags, recorded as synced.
    for (int moved_on : {R, L}) {
        const side target = moved_on == R ? side::local : side::remote;
        std::vector<synced_message> records_a{{{std::string("1"), std::string("a")}, seen, "m"}};
        std::array<std::vector<scanned_message>, 2> scans_a, scans_b;
        scans_a[1 - moved_on].push_back({moved_on == R ? "a" : "1", seen, "m"});
        scans_b[moved_on].push_back({moved_on == R ? "5" : "a", flagged, "m"});
        std::vector<folder_plan> plans{plan_folder("A", records_a, scans_a, {}),
                                       plan_folder("B", {}, scans_b, {})};
        detect_moves(plans);
        ASSERT_EQ(plans[1].actions.size(), 1u);
        const auto& m = plans[1].actions[0];
        EXPECT_EQ(m.kind, action_kind::move);
        EXPECT_EQ(m.target, target);
        EXPECT_EQ(m.add, flagged);
        EXPECT_EQ(m.remove, seen);
        EXPECT_EQ(m.flags, flagged);
    }
}

TEST(folder_planner, converges_under_random_changes_on_both_sides) {
    // Random edits on both sides between passes; after each pass both sides hold the same
    // messages with the same flags, and a second pass plans nothing.
    std::mt19937 random(12345);
    world w;
    for (int i = 0; i < 40; ++i)
        w.pair(std::to_string(i), "f" + std::to_string(i), static_cast<flag_bits>(random() & 0x3f),
               "m" + std::to_string(i));
    for (int round = 0; round < 200; ++round) {
        for (int edit = 0; edit < 4; ++edit) {
            const int s = static_cast<int>(random() % 2);
            auto& side_map = w.sides[s];
            switch (random() % 4) {
            case 0: { // new message
                const auto id = "r" + std::to_string(round) + "e" + std::to_string(edit) + "s" +
                                std::to_string(s);
                w.put(s, id, static_cast<flag_bits>(random() & 0x3f), "id-" + id);
                break;
            }
            case 1: // delete
                if (!side_map.empty())
                    side_map.erase(
                        std::next(side_map.begin(), static_cast<long>(random() % side_map.size())));
                break;
            default: // flag change
                if (!side_map.empty()) {
                    auto it =
                        std::next(side_map.begin(), static_cast<long>(random() % side_map.size()));
                    it->second.flags =
                        static_cast<flag_bits>(it->second.flags ^ (1 << (random() % 6)));
                }
            }
        }
        plan_options o;
        o.force = true;
        w.apply(w.plan(o));
        ASSERT_TRUE(w.plan(o).actions.empty()) << "round " << round;
        ASSERT_EQ(w.sides[R].size(), w.sides[L].size()) << "round " << round;
        std::multimap<std::string, flag_bits> remote, local;
        for (const auto& [id, m] : w.sides[R])
            remote.emplace(m.identity, m.flags);
        for (const auto& [id, m] : w.sides[L])
            local.emplace(m.identity, m.flags);
        ASSERT_EQ(remote, local) << "round " << round;
        ASSERT_EQ(w.records.size(), w.sides[R].size()) << "round " << round;
    }
}

} // namespace
