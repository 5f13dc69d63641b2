// Crash rounds (design.md §4.7): `postfach sync` is SIGKILLed at random instants, first during an
// initial sync of a bulk-seeded account, then during passes over changes made on both sides
// between rounds (server: append, flag, expunge, move; local: new file, flag rename, delete,
// move between folders). After the rounds one uninterrupted pass must leave both sides equal
// message by message (nothing missing, nothing duplicated), and a further pass must find
// nothing to do.
//
// The kill delays and the changes come from one seeded RNG; the seed is printed, and
// POSTFACH_CRASH_SEED=<seed> replays a run (timing aside). POSTFACH_CRASH_MESSAGES scales the
// seeded account (default 2000).

#include "tests/support/account_sync_test.hpp"

#include <cstdlib>
#include <gtest/gtest.h>
#include <iostream>
#include <random>
#include <sstream>

namespace postfach::test {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> folder_names{"INBOX", "Archive", "Lists/dev"};

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? std::stoull(v) : fallback;
}

class crash_rounds : public layout_sync_test {
protected:
    std::mt19937_64 rng_;
    unsigned serial_ = 0;

    template <class T>
    T pick(T low, T high) { // inclusive
        return std::uniform_int_distribution<T>(low, high)(rng_);
    }
    const std::string& any_folder() { return folder_names[pick<std::size_t>(0, 2)]; }

    std::string next_message(const std::string& origin) {
        ++serial_;
        // Bodies of 100 B to 6 KiB, so the kills land mid-literal as often as between commands;
        // one in 40 of 290-700 KB, which the Maildir side writes in pieces as they arrive
        // (maildir_store::stream_piece_bytes), so kills land inside those too.
        std::string body;
        const auto lines = serial_ % 40 == 0 ? pick<unsigned>(5000, 12000) : pick<unsigned>(1, 80);
        for (unsigned i = 0; i < lines; ++i)
            body += fmt::format("{} line {} of message {}, some text to fill it up.\r\n", origin, i,
                                serial_);
        return make_message(fmt::format("{} {}", origin, serial_), body);
    }

    void seed_server(std::size_t count) {
        for (std::size_t f = 0; f < folder_names.size(); ++f) {
            std::vector<dovecot_server::message_spec> batch;
            const std::size_t n = f == 0 ? count / 2 : count / 4;
            for (std::size_t i = 0; i < n; ++i) {
                std::vector<std::string> flags;
                if (pick(0, 2) == 0)
                    flags.push_back("\\Seen");
                if (pick(0, 9) == 0)
                    flags.push_back("\\Flagged");
                batch.push_back({next_message("seed"), flags});
            }
            server().add_messages("alice", folder_names[f], batch);
        }
    }

    void change_server(std::ostream& log) {
        for (int i = 0; i < 3; ++i)
            server().add_message("alice", any_folder(), next_message("server"));
        for (int i = 0; i < 3; ++i) {
            const auto& folder = any_folder();
            const auto uids = server().uids("alice", folder);
            if (uids.empty())
                continue;
            const auto uid = uids[pick<std::size_t>(0, uids.size() - 1)];
            switch (pick(0, 3)) {
            case 0:
                server().add_flags("alice", folder, uid, {"\\Seen", "\\Answered"});
                log << " server-flag " << folder << ":" << uid;
                break;
            case 1:
                server().remove_flags("alice", folder, uid, {"\\Seen"});
                log << " server-unflag " << folder << ":" << uid;
                break;
            case 2:
                server().expunge("alice", folder, uid);
                log << " server-expunge " << folder << ":" << uid;
                break;
            default: {
                const auto& to = any_folder();
                if (to != folder) {
                    server().move_message("alice", folder, uid, to);
                    log << " server-move " << folder << ":" << uid << "->" << to;
                }
            }
            }
        }
    }

    void change_local(std::ostream& log) {
        for (int i = 0; i < 2; ++i) {
            const auto& folder = any_folder();
            // A round killed before the pass created its folders (the first, early) leaves
            // some missing locally: a mail program cannot write there either.
            const auto name = fmt::format("1700000000.R{}.local", ++serial_);
            if (fs::exists(folder_dir(folder) / "tmp"))
                write_local_message(folder, name, next_message("local"));
        }
        for (int i = 0; i < 3; ++i) {
            const auto& folder = any_folder();
            // Not created locally yet, or only in part: a kill during the creation leaves the
            // folder's directory without cur/ or new/ (the next pass completes it).
            if (!fs::exists(folder_dir(folder) / "cur") || !fs::exists(folder_dir(folder) / "new"))
                continue;
            auto messages = local_messages(folder);
            if (messages.empty())
                continue;
            auto m = messages[pick<std::size_t>(0, messages.size() - 1)];
            const maildir::maildir_folder dir(folder_dir(folder));
            switch (pick(0, 2)) {
            case 0: {
                auto flags = m.flags;
                flags.set(maildir::flag::flagged);
                flags.set(maildir::flag::forwarded);
                ASSERT_FALSE(dir.set_flags(m, flags));
                log << " local-flag " << folder << ":" << m.base;
                break;
            }
            case 1:
                ASSERT_FALSE(dir.remove(m));
                log << " local-delete " << folder << ":" << m.base;
                break;
            default: {
                const auto& to = any_folder();
                if (to != folder && fs::exists(folder_dir(to))) {
                    ASSERT_FALSE(dir.move_to(m, maildir::maildir_folder(folder_dir(to))));
                    log << " local-move " << folder << ":" << m.base << "->" << to;
                }
            }
            }
        }
    }
};

TEST_P(crash_rounds, twenty_kills_then_one_pass_leave_both_sides_equal) {
    const auto seed = env_number("POSTFACH_CRASH_SEED", std::random_device{}());
    const auto count = env_number("POSTFACH_CRASH_MESSAGES", 2000);
    rng_.seed(seed);
    std::cout << "crash rounds: POSTFACH_CRASH_SEED=" << seed << ", " << count << " messages\n";
    RecordProperty("seed", std::to_string(seed));
    seed_server(count);
    config();

    std::size_t kills = 0;
    // Kill delays are drawn below a bound: at first a few seconds (the initial sync of 2000
    // messages), from round 6 at most 0.3 s (passes over the changes below). A run that
    // finished before its delay shows that passes are shorter than that: the bound shrinks to
    // it, so on a fast machine the kills still land inside passes.
    std::int64_t bound_us = 2'000'000;
    for (int round = 1; round <= 20; ++round) {
        if (round == 6)
            bound_us = std::min<std::int64_t>(bound_us, 300'000);
        const auto delay = std::chrono::microseconds(pick<std::int64_t>(0, bound_us));
        const auto run = sync_killed_after(delay);
        if (!run.killed)
            bound_us = std::max<std::int64_t>(delay.count() * 9 / 10, 10'000);
        std::ostringstream log;
        log << "round " << round << ": delay " << delay.count() / 1000 << " ms, "
            << (run.killed ? std::string("killed") : fmt::format("exited {}", run.exit_code));
        if (run.killed)
            ++kills;
        else
            ASSERT_EQ(run.exit_code, 0) << log.str() << "\n" << run.output;
        change_server(log);
        change_local(log);
        std::cout << log.str() << "\n";
    }
    auto r = sync();
    ASSERT_EQ(r.exit_code, 0) << "seed " << seed << "\n" << r.out << r.err;
    const auto d = compare();
    EXPECT_TRUE(d.equal()) << "seed " << seed << "\n" << d.describe();
    r = sync();
    EXPECT_NE(r.out.find("fetched 0 (0.0 MB), uploaded 0, flags ↑0 ↓0, deleted ↑0 ↓0, moved 0"),
              std::string::npos)
        << "seed " << seed << "\n"
        << r.out << r.err;
    // Most rounds must really have been interrupted, or the test proves little (typically 15
    // to 20 are; the margin is for a machine much faster than the reference VM).
    EXPECT_GE(kills, 8u) << "seed " << seed;
}

INSTANTIATE_TEST_SUITE_P(layouts, crash_rounds, ::testing::Values("maildir++", "verbatim"),
                         layout_test_name);

} // namespace
} // namespace postfach::test
