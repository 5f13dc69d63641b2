// The real local stack under the engine: a maildir_store on disk and a sqlite_sync_state,
// against an in-memory IMAP-like remote. A pass is killed at every mutating step of either
// side, just before the step or just after it (the change, or the commit, made but its answer
// lost); then, as a new process, the Maildir and the database are opened again from disk and a
// pass runs: the result equals an uninterrupted run (nothing lost, nothing duplicated), and
// one more pass has nothing to do. (Kills inside a Maildir commit: delivery_test.cpp.)

#include "maildir/delivery.hpp"
#include "maildir/maildir_store.hpp"
#include "state/sqlite_sync_state.hpp"
#include "sync/account_pass.hpp"
#include "tests/unit/support/temp_dir.hpp"
#include "tests/unit/sync/memory_store.hpp"
#include "tests/unit/sync/pass_helpers.hpp"
#include "tests/unit/sync/store_decorators.hpp"

#include <gtest/gtest.h>
#include <memory>

namespace fs = std::filesystem;

namespace postfach::state {
namespace {

using sync::flag_bits;
using sync::testing::contents;
using sync::testing::failing_store;
using sync::testing::memory_store;
using sync::testing::run_task;
using sync::testing::test_mail;
using sync::testing::wire_identity_store;

using namespace sync::flag_bit; // draft, flagged, forwarded, answered, seen, deleted

// One account as a process sees it: the remote (which outlives processes, as a server does)
// and the local stack opened from disk.
class account {
public:
    account(const fs::path& dir, maildir::layout_kind layout)
        : dir_(dir)
        , layout_(layout) {
        remote.working()["INBOX"];
        remote.working()["Archive"];
        remote.make_durable();
        open_process();
    }

    // A new process: the Maildir and the database from disk, nothing else.
    void open_process() {
        state_.reset();
        local_view_.reset();
        remote_view_.reset();
        local_.reset();
        db_ = state_store();
        ASSERT_FALSE(state_store::open(dir_ / "account.sqlite", db_)) << db_.diagnostics();
        state_ = std::make_unique<sqlite_sync_state>(db_);
        local_ = std::make_unique<maildir::maildir_store>(
            maildir::folder_layout(dir_ / "mail", layout_));
        remote_view_ = std::make_unique<failing_store>(remote_identities_);
        local_view_ = std::make_unique<failing_store>(*local_);
    }

    // Kills the process: the server keeps what it acknowledged, the rest is opened anew.
    void kill() {
        remote.crash();
        open_process();
    }

    sync::pass_result pass() {
        sync::pass_options options;
        options.commit_every = 2;
        auto all = [](const sync::folder_info&) {
            return true;
        };
        return run_task(
            sync::run_account_pass({remote_view_.get(), local_view_.get()}, *state_, all, options));
    }

    // Mail a local client delivered (durable before the pass).
    void deliver_locally(const std::string& folder, const std::string& wire, flag_bits flags) {
        std::error_code ec;
        const auto folder_dir = local_->layout().folder_dir(folder, ec);
        ASSERT_FALSE(ec);
        if (!local_->layout().folder_exists(folder)) {
            ASSERT_FALSE(local_->layout().create_folder(folder));
        }
        maildir::unique_name_generator names;
        maildir::delivery d;
        maildir::delivery_options options;
        options.flags = maildir::flags_from_bits(flags);
        ASSERT_FALSE(maildir::delivery::open(folder_dir, options, names, d));
        ASSERT_FALSE(d.append(wire));
        ASSERT_FALSE(d.finish());
        maildir::delivery_batch batch;
        ASSERT_FALSE(batch.add(std::move(d)));
        std::vector<maildir::delivered_message> done;
        ASSERT_FALSE(batch.commit(done));
    }

    failing_store& side(int victim) { return victim == 0 ? *remote_view_ : *local_view_; }
    sync::store& local() { return *local_; }

    memory_store remote{"", true};

private:
    fs::path dir_;
    maildir::layout_kind layout_;
    wire_identity_store remote_identities_{remote};
    state_store db_;
    std::unique_ptr<sqlite_sync_state> state_;
    std::unique_ptr<maildir::maildir_store> local_;
    std::unique_ptr<failing_store> remote_view_;
    std::unique_ptr<failing_store> local_view_;
};

struct crash_case {
    maildir::layout_kind layout;
    bool after_the_step; // the killed step was performed
};

class durable_pass_test : public ::testing::TestWithParam<crash_case> {
protected:
    // Both sides have mail the other lacks, and a folder the other lacks.
    std::unique_ptr<account> make(const fs::path& dir) {
        auto a = std::make_unique<account>(dir, GetParam().layout);
        for (int i = 0; i < 6; ++i)
            a->remote.add(i % 2 ? "INBOX" : "Archive", test_mail("server" + std::to_string(i)),
                          i % 2 ? seen : 0);
        a->remote.add("Projects/New", test_mail("in a folder the Maildir lacks"));
        a->deliver_locally("INBOX", test_mail("local1"), 0);
        a->deliver_locally("Archive", test_mail("local2"), flagged);
        a->deliver_locally("Notes", test_mail("in a folder the server lacks"), seen);
        return a;
    }
};

TEST_P(durable_pass_test, a_pass_killed_at_any_step_is_repaired_by_the_next) {
    sync::testing::mailbox_contents expected;
    {
        test::temp_dir tmp;
        auto reference = make(tmp.path());
        const auto r = reference->pass();
        ASSERT_FALSE(r.any_error());
        expected = contents(reference->remote.durable());
        ASSERT_EQ(contents(reference->local()), expected);
        ASSERT_EQ(expected.size(), 4u);
    }
    for (int victim = 0; victim < 2; ++victim) {
        int steps = 0;
        for (int step = 0;; ++step, ++steps) {
            test::temp_dir tmp;
            auto a = make(tmp.path());
            a->side(victim).fail_at(step, GetParam().after_the_step);
            a->pass();
            if (!a->side(victim).dead())
                break; // the pass had fewer steps: every step was tried
            a->kill();
            const auto repair = a->pass();
            const auto where = "victim " + std::to_string(victim) + " step " + std::to_string(step);
            EXPECT_FALSE(repair.any_error()) << where;
            EXPECT_EQ(contents(a->remote.durable()), expected) << where;
            EXPECT_EQ(contents(a->local()), expected) << where;
            a->kill(); // the next pass also runs from disk alone
            const auto again = a->pass();
            for (const auto& f : again.folders)
                EXPECT_TRUE(f.plan.actions.empty()) << where << " " << f.folder;
        }
        // Remote: 3 uploads and a folder; local: 7 deliveries, a folder, commits in pairs.
        EXPECT_GE(steps, victim == 0 ? 4 : 10) << "victim " << victim;
    }
}

// Each kind of kill on one layout (the two together would double a slow test for little).
INSTANTIATE_TEST_SUITE_P(kills, durable_pass_test,
                         ::testing::Values(crash_case{maildir::layout_kind::maildir_plus_plus,
                                                      false},
                                           crash_case{maildir::layout_kind::verbatim, true}),
                         [](const ::testing::TestParamInfo<crash_case>& param) {
                             return std::string(param.param.after_the_step ? "after_the_step"
                                                                           : "before_the_step");
                         });

} // namespace
} // namespace postfach::state
