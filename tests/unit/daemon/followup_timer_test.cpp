// followup_timer: the debounced on_new_mail batches run when the asio timer fires, not before;
// flush() runs what is still in its window; a pass without new mail arms nothing.

#include "daemon/followup_timer.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace postfach {
namespace {

using namespace std::chrono_literals;

// A pass that fetched `n` messages into `folder`.
sync::pass_result fetched(const std::string& folder, std::size_t n) {
    sync::pass_result r;
    r.folders.push_back({folder, {}, {}, {}});
    sync::action copy;
    copy.kind = sync::action_kind::copy;
    copy.target = sync::side::local;
    r.folders.back().plan.actions.assign(n, copy);
    return r;
}

class followup_timer_test : public ::testing::Test {
protected:
    followup_timer_test() {
        account_.name = "work";
        account_.maildir = tmp_.path() / "Mail";
        account_.hooks.on_new_mail = {"true"};
    }

    test::temp_dir tmp_;
    config::account_config account_;
    boost::asio::io_context io_;
};

TEST_F(followup_timer_test, the_batch_runs_when_the_timer_fires) {
    followup_timer f(io_.get_executor(), account_, {.debounce_window = 0ms, .hook_timeout = 10s});
    f.pass_done(fetched("INBOX", 2));
    EXPECT_TRUE(f.followup().hooks().outcomes().empty()) << "not before the timer";
    io_.run();
    f.flush(); // nothing left to submit: waits for the hook the timer started
    const auto outcomes = f.followup().hooks().outcomes();
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_EQ(outcomes[0].batch, (new_mail_batch{"INBOX", 2}));
    EXPECT_TRUE(outcomes[0].ok) << outcomes[0].problem;
}

TEST_F(followup_timer_test, flush_runs_what_waits_in_its_window) {
    followup_timer f(io_.get_executor(), account_, {.debounce_window = 1h, .hook_timeout = 10s});
    f.pass_done(fetched("INBOX", 1));
    f.pass_done(fetched("INBOX", 2));
    f.flush();
    const auto outcomes = f.followup().hooks().outcomes();
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_EQ(outcomes[0].batch, (new_mail_batch{"INBOX", 3}));
    // The timer was disarmed: its cancelled waits run, and run no hook.
    io_.run();
    f.flush();
    EXPECT_EQ(f.followup().hooks().outcomes().size(), 1u);
}

TEST_F(followup_timer_test, a_pass_without_new_mail_arms_nothing) {
    followup_timer f(io_.get_executor(), account_, {.debounce_window = 0ms, .hook_timeout = 10s});
    f.pass_done(fetched("INBOX", 0));
    EXPECT_EQ(io_.run(), 0u);
    EXPECT_TRUE(f.followup().hooks().outcomes().empty());
}

} // namespace
} // namespace postfach
