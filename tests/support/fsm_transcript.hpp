#pragma once
// Transcript tests of a sans-IO session state machine (imap::session_fsm, pop3::session_fsm):
// the test plays the transport, and each expectation takes the fsm's next action and asserts
// it. A fixture derives from fsm_transcript_test<its fsm> and creates `fsm` in its start().

#include <gtest/gtest.h>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace postfach::test {

struct transcript_step {
    enum kind { server, client, client_secret, tls } type;
    std::string text;
};

template <typename Fsm>
class fsm_transcript_test : public ::testing::Test {
protected:
    using action_kind = typename decltype(std::declval<Fsm&>().next())::kind;

    void expect_read() { EXPECT_EQ(fsm->next().type, action_kind::read) << fsm->diagnostics(); }
    void expect_idle() { EXPECT_EQ(fsm->next().type, action_kind::idle) << fsm->diagnostics(); }
    void expect_write(std::string_view bytes, bool sensitive = false) {
        const auto a = fsm->next();
        ASSERT_EQ(a.type, action_kind::write) << fsm->diagnostics();
        EXPECT_EQ(a.bytes, bytes);
        EXPECT_EQ(a.sensitive, sensitive) << bytes;
        fsm->on_written();
    }
    void expect_start_tls() {
        ASSERT_EQ(fsm->next().type, action_kind::start_tls) << fsm->diagnostics();
        fsm->on_tls_established();
    }
    // The server's bytes, when the fsm asks to read.
    void feed(std::string_view bytes) {
        expect_read();
        fsm->on_bytes(bytes);
    }
    // Data the server sends while the session waits for nothing (the transport keeps reading).
    void feed_unsolicited(std::string_view bytes) {
        expect_idle();
        fsm->on_bytes(bytes);
    }
    void expect_done(std::error_code ec) {
        const auto a = fsm->next();
        ASSERT_EQ(a.type, action_kind::done);
        EXPECT_EQ(a.error, ec) << fsm->diagnostics();
    }
    // Plays the first `count` steps of a transcript.
    void run(const std::vector<transcript_step>& steps, std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) {
            const auto& s = steps[i];
            switch (s.type) {
            case transcript_step::server:
                feed(s.text);
                break;
            case transcript_step::client:
                expect_write(s.text);
                break;
            case transcript_step::client_secret:
                expect_write(s.text, true);
                break;
            case transcript_step::tls:
                expect_start_tls();
                break;
            }
        }
    }
    void run(const std::vector<transcript_step>& steps) { run(steps, steps.size()); }

    std::unique_ptr<Fsm> fsm;
};

} // namespace postfach::test
