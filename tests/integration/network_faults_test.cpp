// Network faults between postfach and the fixture Dovecot (the fault proxy, fault_proxy.hpp):
// each fault during an initial sync and during a pass with changes on both sides. A cut, reset
// or stall must end the run cleanly: exit 75 (EX_TEMPFAIL, worth retrying) and an error that
// says what failed; a throttled link only makes the run slow. Then the fault is lifted, one
// pass runs, and both sides must compare equal message by message (nothing lost, nothing
// duplicated), with a further pass finding nothing to do.
//
// Each case prints one line of the fault matrix ("fault matrix | <fault> | <phase> | ...").

#include "tests/support/account_sync_test.hpp"
#include "tests/support/fault_proxy.hpp"

#include <gtest/gtest.h>
#include <iostream>

namespace postfach::test {
namespace {

using kind = fault_plan::kind;

enum class phase { initial, changes };

struct fault_case {
    std::string name;
    kind what;
    fault_direction direction;
    // Where the fault strikes: bytes after the traffic of an idle pass (the changes phase) or
    // after the start (the initial phase).
    std::uint64_t offset;
    phase when;
};

std::string phase_name(phase p) {
    return p == phase::initial ? "initial" : "changes";
}

// Throttled cases move little data: at 2 KiB/s every kilobyte costs half a second.
bool small_data(const fault_case& c) {
    return c.what == kind::throttle;
}

class network_faults : public account_sync_test, public ::testing::WithParamInterface<fault_case> {
protected:
    unsigned serial_ = 0;

    std::string message(const std::string& origin, std::size_t lines) {
        std::string body;
        ++serial_;
        for (std::size_t i = 0; i < lines; ++i)
            body += fmt::format("{} message {} line {}: filler text for the literal.\r\n", origin,
                                serial_, i);
        return make_message(fmt::format("{} {}", origin, serial_), body);
    }

    // Mail on the server (downloads: the server's direction) and in the Maildir (uploads).
    void add_mail_both_sides(std::size_t server_count, std::size_t local_count, std::size_t lines) {
        std::vector<dovecot_server::message_spec> batch;
        for (std::size_t i = 0; i < server_count; ++i)
            batch.push_back({message("server", lines), i % 3 == 0
                                                           ? std::vector<std::string>{"\\Seen"}
                                                           : std::vector<std::string>{}});
        server().add_messages("alice", "INBOX", batch);
        if (!std::filesystem::exists(folder_dir("INBOX"))) {
            ASSERT_FALSE(maildir::folder_layout(maildir(), layout()).create_folder("INBOX"));
        }
        for (std::size_t i = 0; i < local_count; ++i)
            write_local_message("INBOX", fmt::format("1700000000.F{}.local", ++serial_),
                                message("local", lines * 4));
    }

    void change_flags_and_delete_both_sides() {
        const auto uids = server().uids("alice", "INBOX");
        for (std::size_t i = 0; i < 4 && i < uids.size(); ++i)
            server().add_flags("alice", "INBOX", uids[i], {"\\Flagged"});
        server().expunge("alice", "INBOX", uids.back());
        auto local = local_messages("INBOX");
        const maildir::maildir_folder dir(folder_dir("INBOX"));
        for (std::size_t i = 0; i + 1 < local.size() && i < 4; ++i) {
            auto m = local[local.size() - 1 - i];
            ASSERT_FALSE(dir.set_flags(m, {maildir::flag::seen, maildir::flag::answered}));
        }
        ASSERT_FALSE(dir.remove(local[0]));
    }
};

TEST_P(network_faults, fail_cleanly_then_the_next_pass_completes) {
    const auto& c = GetParam();
    fault_proxy proxy(server().imaps_port());
    // A short deadline so a stall is detected quickly; the throttle never goes silent that long.
    // Not shorter: the same deadline holds for the passes before and after the fault, and on a
    // loaded machine (the sanitizer build, tests in parallel) Dovecot was seen silent for 2 s.
    config(proxy.port(), "timeout: 5s");
    const std::size_t server_count = small_data(c) ? 8 : 120;
    const std::size_t local_count = small_data(c) ? 2 : 12;
    const std::size_t lines = small_data(c) ? 4 : 40; // ~0.3 or ~2.5 KB; local ones 4x that

    std::array<std::uint64_t, 2> baseline{};
    if (c.when == phase::initial) {
        add_mail_both_sides(server_count, local_count, lines);
    } else {
        add_mail_both_sides(server_count, local_count, lines);
        auto r = sync();
        ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
        // The traffic of a pass with nothing to do, to place the fault among the changes.
        const auto before = proxy.bytes_forwarded();
        r = sync();
        ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
        const auto after = proxy.bytes_forwarded();
        baseline = {after[0] - before[0], after[1] - before[1]};
        add_mail_both_sides(server_count / 3, local_count, lines);
        change_flags_and_delete_both_sides();
    }

    fault_plan plan{c.what, c.direction, c.offset, 2048};
    if (c.when == phase::changes && c.offset >= 4096) // past the handshake: among the changes
        plan.after_bytes += baseline[static_cast<std::size_t>(c.direction)];
    proxy.set(plan);
    const auto started = std::chrono::steady_clock::now();
    const auto faulted = sync();
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
    EXPECT_GE(proxy.faults_struck(), 1u) << describe(plan) << " never struck";
    if (c.what == kind::throttle) {
        EXPECT_EQ(faulted.exit_code, 0) << faulted.out << faulted.err;
    } else {
        EXPECT_EQ(faulted.exit_code, 75) << describe(plan) << "\n" << faulted.out << faulted.err;
        EXPECT_NE(faulted.err.find("postfach: work: "), std::string::npos) << faulted.err;
    }
    proxy.lift();

    auto r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto d = compare();
    EXPECT_TRUE(d.equal()) << describe(plan) << "\n" << d.describe();
    r = sync();
    EXPECT_NE(r.out.find("fetched 0 (0.0 MB), uploaded 0, flags ↑0 ↓0, deleted ↑0 ↓0, moved 0"),
              std::string::npos)
        << r.out << r.err;

    auto first_line = faulted.err.substr(0, faulted.err.find('\n'));
    std::cout << fmt::format("fault matrix | {} | {} | exit {} after {:.1f} s | {} | then: {}\n",
                             describe(plan), phase_name(c.when), faulted.exit_code, seconds.count(),
                             first_line.empty() ? "-" : first_line,
                             d.equal() ? "equal, no duplicates" : "DIFFERENT");
}

std::vector<fault_case> all_cases() {
    const std::vector<fault_case> kinds{
        {"cut_mid_tls_handshake_to_server", kind::cut, fault_direction::to_server, 100,
         phase::initial},
        {"cut_mid_tls_handshake_to_client", kind::cut, fault_direction::to_client, 700,
         phase::initial},
        {"cut_mid_literal", kind::cut, fault_direction::to_client, 60 * 1024, phase::initial},
        {"cut_mid_append", kind::cut, fault_direction::to_server, 40 * 1024, phase::initial},
        {"reset", kind::reset, fault_direction::to_client, 40 * 1024, phase::initial},
        {"stall_handshake", kind::stall, fault_direction::to_client, 0, phase::initial},
        {"stall", kind::stall, fault_direction::to_client, 40 * 1024, phase::initial},
        {"throttle_2kib", kind::throttle, fault_direction::to_client, 0, phase::initial},
    };
    std::vector<fault_case> out;
    for (auto when : {phase::initial, phase::changes})
        for (auto c : kinds) {
            c.when = when;
            c.name += "_" + phase_name(when);
            out.push_back(c);
        }
    return out;
}

INSTANTIATE_TEST_SUITE_P(matrix, network_faults, ::testing::ValuesIn(all_cases()),
                         [](const auto& test) { return test.param.name; });

} // namespace
} // namespace postfach::test
