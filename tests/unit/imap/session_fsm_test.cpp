// Transcript tests of the IMAP session state machine: the test plays the transport, asserting
// each next action, and injects a failure at every step of the connection setup.

#include "imap/imap_errc.hpp"
#include "imap/session_fsm.hpp"
#include "tests/support/fsm_transcript.hpp"

#include <gtest/gtest.h>
#include <memory>
#include <vector>

namespace postfach::imap {
namespace {

using namespace std::string_literals;

class recording_handler final : public untagged_handler {
public:
    void on_untagged(response&& r) override { received.push_back(std::move(r)); }
    std::vector<response> received;
};

// Client-first mechanism with a fixed initial response (like PLAIN), following the contract:
// the initial response comes from initial_response() or, without SASL-IR, from step("").
class fake_plain final : public sasl_mechanism {
public:
    std::string_view name() const override { return "PLAIN"; }
    std::optional<secret_string> initial_response() override {
        ++initial_calls;
        return secret_string("\0alice\0secret"s);
    }
    std::error_code step(std::string_view challenge, secret_string& response) override {
        if (!challenge.empty() || initial_calls > 0)
            return std::make_error_code(std::errc::protocol_error);
        response = secret_string("\0alice\0secret"s);
        return {};
    }
    int initial_calls = 0;
};

// Server-first mechanism (like LOGIN): answers "Username:" and "Password:".
class fake_login final : public sasl_mechanism {
public:
    std::string_view name() const override { return "LOGIN"; }
    std::optional<secret_string> initial_response() override { return std::nullopt; }
    std::error_code step(std::string_view challenge, secret_string& response) override {
        if (challenge == "Username:")
            response = secret_string("alice");
        else if (challenge == "Password:")
            response = secret_string("secret");
        else
            return std::make_error_code(std::errc::protocol_error);
        return {};
    }
};

using step = test::transcript_step;

class session_fsm_test : public test::fsm_transcript_test<session_fsm> {
protected:
    void start(session_options options) {
        fsm = std::make_unique<session_fsm>(std::move(options), &handler);
        fsm->on_connected();
    }
    session_options starttls_options() {
        session_options o;
        o.security = transport_security::starttls;
        o.mechanisms = {&plain};
        return o;
    }

    fake_plain plain;
    fake_login login;
    recording_handler handler;
};

const std::vector<step> starttls_setup = {
    {step::server, "* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ STARTTLS LOGINDISABLED] ready\r\n"},
    {step::client, "A1 STARTTLS\r\n"},
    {step::server, "A1 OK Begin TLS negotiation now.\r\n"},
    {step::tls, ""},
    {step::client, "A2 CAPABILITY\r\n"},
    {step::server, "* CAPABILITY IMAP4rev1 SASL-IR LITERAL+ AUTH=PLAIN\r\nA2 OK listed\r\n"},
    {step::client_secret, "A3 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n"},
    {step::server, "A3 OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE UIDPLUS MOVE] Logged in\r\n"},
};

TEST_F(session_fsm_test, starttls_authenticate_ready) {
    start(starttls_options());
    run(starttls_setup, starttls_setup.size());
    EXPECT_EQ(fsm->current_phase(), session_fsm::phase::ready);
    expect_idle();
    EXPECT_TRUE(fsm->has_capability("MOVE"));
    EXPECT_FALSE(fsm->has_capability("STARTTLS")) << "capabilities re-read after login";
    EXPECT_EQ(fsm->writer().get_literal_mode(), literal_mode::literal_plus);
    EXPECT_EQ(fsm->authentication_method(), "AUTHENTICATE PLAIN");
}

TEST_F(session_fsm_test, no_mailbox_data_accepted_before_authentication) {
    auto steps = starttls_setup;
    steps[0].text += "* 7 EXISTS\r\n";
    steps[5].text = "* 6 EXISTS\r\n" + steps[5].text;
    start(starttls_options());
    run(steps, steps.size());
    EXPECT_EQ(fsm->current_phase(), session_fsm::phase::ready);
    EXPECT_TRUE(handler.received.empty());
    feed_unsolicited("* 8 EXISTS\r\n");
    EXPECT_EQ(handler.received.size(), 1u);
}

TEST_F(session_fsm_test, transport_error_at_every_step) {
    for (std::size_t i = 0; i <= starttls_setup.size(); ++i) {
        SCOPED_TRACE("error after step " + std::to_string(i));
        start(starttls_options());
        run(starttls_setup, i);
        const auto ec = std::make_error_code(std::errc::connection_reset);
        fsm->on_transport_error(ec);
        expect_done(ec);
        EXPECT_NE(fsm->diagnostics().find("connection failed"), std::string::npos);
        fsm->on_bytes("* 1 EXISTS\r\n"); // ignored once done
        expect_done(ec);
    }
}

TEST_F(session_fsm_test, garbage_from_the_server_at_every_step) {
    for (std::size_t i = 0; i < starttls_setup.size(); ++i) {
        if (starttls_setup[i].type != step::server)
            continue;
        SCOPED_TRACE("garbage at step " + std::to_string(i));
        start(starttls_options());
        run(starttls_setup, i);
        feed("* 1 FETCH (UID\r\n");
        expect_done(imap_errc::syntax_error);
        EXPECT_NE(fsm->diagnostics().find("FETCH"), std::string::npos) << fsm->diagnostics();
    }
}

TEST_F(session_fsm_test, refusal_at_every_tagged_step) {
    const std::vector<std::pair<std::size_t, imap_errc>> refusals = {
        {2, imap_errc::starttls_refused},
        {5, imap_errc::command_failed},
        {7, imap_errc::auth_failed},
    };
    for (const auto& [index, expected] : refusals) {
        SCOPED_TRACE("NO at step " + std::to_string(index));
        start(starttls_options());
        run(starttls_setup, index);
        const auto tag = "A" + std::to_string(index == 2 ? 1 : index == 5 ? 2 : 3);
        feed(tag + " NO [UNAVAILABLE] nope\r\n");
        expect_done(expected);
        EXPECT_NE(fsm->diagnostics().find("\"nope\""), std::string::npos) << fsm->diagnostics();
    }
}

TEST_F(session_fsm_test, starttls_injection_in_the_same_read) {
    start(starttls_options());
    run(starttls_setup, 2);
    feed("A1 OK Begin TLS negotiation now.\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] evil\r\n");
    expect_done(imap_errc::starttls_injection);
    EXPECT_NE(fsm->diagnostics().find("evil"), std::string::npos);
}

TEST_F(session_fsm_test, starttls_injection_in_a_later_read) {
    start(starttls_options());
    run(starttls_setup, 3);
    ASSERT_EQ(fsm->next().type, next_action::kind::start_tls);
    fsm->on_bytes("x");
    expect_done(imap_errc::starttls_injection);
}

TEST_F(session_fsm_test, starttls_not_offered) {
    start(starttls_options());
    feed("* OK ready\r\n");
    expect_write("A1 CAPABILITY\r\n");
    feed("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA1 OK done\r\n");
    expect_done(imap_errc::starttls_not_offered);
}

TEST_F(session_fsm_test, preauth_in_cleartext_is_refused) {
    start(starttls_options());
    feed("* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] welcome\r\n");
    expect_done(imap_errc::cleartext_preauth);
}

TEST_F(session_fsm_test, preauth_over_tls_skips_authentication) {
    session_options o;
    start(o);
    feed("* PREAUTH welcome\r\n");
    expect_write("A1 CAPABILITY\r\n");
    feed("* CAPABILITY IMAP4rev1 IDLE\r\nA1 OK\r\n");
    EXPECT_EQ(fsm->current_phase(), session_fsm::phase::ready);
    EXPECT_EQ(fsm->authentication_method(), "PREAUTH");
    expect_idle();
}

TEST_F(session_fsm_test, greeting_bye) {
    start(starttls_options());
    feed("* BYE Too many connections\r\n");
    expect_done(imap_errc::server_bye);
    EXPECT_NE(fsm->diagnostics().find("Too many connections"), std::string::npos);
}

TEST_F(session_fsm_test, login_disabled_without_mechanism) {
    session_options o;
    o.login = login_credentials{"alice", secret_string("secret")};
    start(o);
    feed("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=GSSAPI] ready\r\n");
    expect_done(imap_errc::login_disabled);
}

TEST_F(session_fsm_test, no_allowed_mechanism) {
    session_options o;
    o.mechanisms = {&plain};
    start(o);
    feed("* OK [CAPABILITY IMAP4rev1 AUTH=GSSAPI] ready\r\n");
    expect_done(imap_errc::no_auth_mechanism);
}

TEST_F(session_fsm_test, chooser_sees_the_capabilities_after_starttls) {
    auto o = starttls_options();
    o.mechanisms.clear();
    capability_set seen;
    o.choose_mechanism = [&](const capability_set& caps, sasl_mechanism*& chosen, std::string&) {
        seen = caps;
        chosen = &plain;
        return std::error_code();
    };
    start(o);
    run(starttls_setup, starttls_setup.size());
    EXPECT_EQ(fsm->current_phase(), session_fsm::phase::ready) << fsm->diagnostics();
    EXPECT_TRUE(seen.count("AUTH=PLAIN")) << "chosen from the capabilities after STARTTLS";
    EXPECT_FALSE(seen.count("STARTTLS"));
}

TEST_F(session_fsm_test, chooser_refusal_fails_the_session) {
    session_options o;
    o.choose_mechanism = [](const capability_set&, sasl_mechanism*&, std::string& diagnostics) {
        diagnostics = "the server offers GSSAPI; usable with a password: PLAIN, LOGIN";
        return std::make_error_code(std::errc::operation_not_supported);
    };
    start(o);
    feed("* OK [CAPABILITY IMAP4rev1 AUTH=GSSAPI] ready\r\n");
    expect_done(std::make_error_code(std::errc::operation_not_supported));
    EXPECT_EQ(fsm->diagnostics(), "the server offers GSSAPI; usable with a password: PLAIN, LOGIN");
}

TEST_F(session_fsm_test, login_command_with_synchronizing_literal) {
    session_options o;
    o.login = login_credentials{"alice", secret_string("s\xc3\xa4kret")};
    start(o);
    feed("* OK [CAPABILITY IMAP4rev1] ready\r\n");
    expect_write("A1 LOGIN alice {7}\r\n");
    expect_read(); // waits for the continuation
    feed("+ go ahead\r\n");
    expect_write("s\xc3\xa4kret\r\n", true);
    feed("A1 OK Logged in\r\n");
    expect_write("A2 CAPABILITY\r\n");
    feed("* CAPABILITY IMAP4rev1 MOVE\r\nA2 OK\r\n");
    EXPECT_EQ(fsm->current_phase(), session_fsm::phase::ready);
    EXPECT_EQ(fsm->authentication_method(), "LOGIN");
}

TEST_F(session_fsm_test, client_first_mechanism_without_sasl_ir) {
    session_options o;
    o.mechanisms = {&plain};
    start(o);
    feed("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n");
    expect_write("A1 AUTHENTICATE PLAIN\r\n");
    feed("+ \r\n");
    expect_write("AGFsaWNlAHNlY3JldA==\r\n", true);
    EXPECT_EQ(plain.initial_calls, 0) << "without SASL-IR, step(\"\") gives the first response";
    feed("A1 OK [CAPABILITY IMAP4rev1] Logged in\r\n");
    EXPECT_EQ(fsm->current_phase(), session_fsm::phase::ready);
}

TEST_F(session_fsm_test, server_first_mechanism) {
    session_options o;
    o.mechanisms = {&plain, &login};
    start(o);
    feed("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=LOGIN] ready\r\n");
    expect_write("A1 AUTHENTICATE LOGIN\r\n");
    feed("+ VXNlcm5hbWU6\r\n");
    expect_write("YWxpY2U=\r\n", true);
    feed("+ UGFzc3dvcmQ6\r\n");
    expect_write("c2VjcmV0\r\n", true);
    feed("A1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
    expect_done(imap_errc::auth_failed);
    EXPECT_NE(fsm->diagnostics().find("\"Authentication failed.\""), std::string::npos);
}

TEST_F(session_fsm_test, bad_sasl_challenge_cancels) {
    session_options o;
    o.mechanisms = {&login};
    start(o);
    feed("* OK [CAPABILITY IMAP4rev1 AUTH=LOGIN] ready\r\n");
    expect_write("A1 AUTHENTICATE LOGIN\r\n");
    feed("+ not-base64!\r\n");
    expect_write("*\r\n");
    feed("A1 BAD Authentication cancelled\r\n");
    expect_done(imap_errc::syntax_error);
}

class ready_session_test : public session_fsm_test {
protected:
    void SetUp() override {
        session_options o = starttls_options();
        o.pipeline_depth = 2;
        start(o);
        run(starttls_setup, starttls_setup.size());
        handler.received.clear();
    }
};

TEST_F(ready_session_test, pipelining_with_a_depth_limit) {
    std::vector<std::string> completed;
    const auto record = [&](const status_response& r) {
        completed.push_back(r.tag);
    };
    auto& w = fsm->writer();
    EXPECT_FALSE(fsm->submit(w.noop(), record));
    EXPECT_FALSE(fsm->submit(w.status("INBOX", {"MESSAGES"}), record));
    EXPECT_EQ(fsm->submit(w.noop(), record), imap_errc::pipeline_full);
    EXPECT_EQ(fsm->in_flight(), 2u);
    expect_write("A4 NOOP\r\n");
    expect_write("A5 STATUS INBOX (MESSAGES)\r\n");
    feed("* 3 EXISTS\r\nA4 OK NOOP done\r\n* STATUS INBOX (MESSAGES 3)\r\n");
    EXPECT_EQ(completed, (std::vector<std::string>{"A4"}));
    EXPECT_FALSE(fsm->submit(w.noop(), record));
    expect_write("A7 NOOP\r\n");
    feed("A5 OK\r\nA7 OK\r\n");
    EXPECT_EQ(completed, (std::vector<std::string>{"A4", "A5", "A7"}));
    ASSERT_EQ(handler.received.size(), 2u);
    EXPECT_EQ(std::get<exists_data>(handler.received[0]).count, 3u);
    EXPECT_EQ(std::get<status_data>(handler.received[1]).get("MESSAGES"), 3u);
    expect_idle();
}

TEST_F(ready_session_test, unsolicited_data_while_idle) {
    feed_unsolicited("* 4 EXPUNGE\r\n* VANISHED 7:9\r\n");
    ASSERT_EQ(handler.received.size(), 2u);
    EXPECT_EQ(std::get<expunge_data>(handler.received[0]).seq, 4u);
    expect_idle();
}

TEST_F(ready_session_test, append_with_body_and_refusal_before_the_literal) {
    // The server offers LITERAL+ after login; this server refuses the literal.
    fsm->writer().set_literal_mode(literal_mode::synchronizing);
    std::optional<status_response> result;
    EXPECT_FALSE(fsm->submit(fsm->writer().append("Nope", {}, std::nullopt, 5),
                             [&](const status_response& r) { result = r; }));
    expect_write("A4 APPEND Nope {5}\r\n");
    expect_read();
    feed("A4 NO [TRYCREATE] Mailbox doesn't exist\r\n");
    ASSERT_TRUE(result);
    EXPECT_EQ(result->code->kind, response_code_kind::trycreate);
    expect_idle(); // the body is never asked for

    EXPECT_FALSE(fsm->submit(fsm->writer().append("INBOX", {"\\Seen"}, std::nullopt, 5)));
    expect_write("A5 APPEND INBOX (\\Seen) {5}\r\n");
    feed("+ OK\r\n");
    const auto body = fsm->next();
    ASSERT_EQ(body.type, next_action::kind::write_body);
    EXPECT_EQ(body.tag, "A5");
    EXPECT_EQ(body.body_size, 5u);
    fsm->on_written();
    expect_write("\r\n");
    feed("A5 OK [APPENDUID 1 9] Append completed.\r\n");
    expect_idle();
}

TEST_F(ready_session_test, idle_and_done) {
    EXPECT_FALSE(fsm->submit(fsm->writer().idle()));
    expect_write("A4 IDLE\r\n");
    EXPECT_EQ(fsm->submit(fsm->writer().noop()), imap_errc::wrong_state);
    EXPECT_EQ(fsm->stop_idle(), imap_errc::wrong_state) << "not idling before the +";
    feed("+ idling\r\n");
    EXPECT_TRUE(fsm->idling());
    expect_read();
    feed("* 5 EXISTS\r\n");
    ASSERT_EQ(handler.received.size(), 1u);
    EXPECT_FALSE(fsm->stop_idle());
    expect_write("DONE\r\n");
    feed("A4 OK Idle completed.\r\n");
    EXPECT_FALSE(fsm->idling());
    expect_idle();
}

TEST_F(ready_session_test, bye_while_ready) {
    feed_unsolicited("* BYE Server shutting down\r\n");
    expect_done(imap_errc::server_bye);
}

TEST_F(ready_session_test, unknown_tag) {
    feed_unsolicited("A99 OK what\r\n");
    expect_done(imap_errc::unexpected_response);
}

TEST_F(ready_session_test, parser_error_names_the_command_in_flight) {
    EXPECT_FALSE(fsm->submit(fsm->writer().uid_fetch(uid_set::range(1, 5), {"UID"})));
    expect_write("A4 UID FETCH 1:5 (UID)\r\n");
    feed("* 1 FETCH (UID 1 UID)\r\n");
    expect_done(imap_errc::syntax_error);
    EXPECT_NE(fsm->diagnostics().find("UID FETCH (A4)"), std::string::npos) << fsm->diagnostics();
}

TEST_F(ready_session_test, logout) {
    EXPECT_FALSE(fsm->logout());
    expect_write("A4 LOGOUT\r\n");
    feed("* BYE Logging out\r\nA4 OK Logout completed.\r\n");
    expect_done({});
}

TEST_F(ready_session_test, connection_closed_after_logout_bye) {
    EXPECT_FALSE(fsm->logout());
    expect_write("A4 LOGOUT\r\n");
    feed("* BYE Logging out\r\n");
    fsm->on_transport_error(std::make_error_code(std::errc::connection_reset));
    expect_done({});
}

} // namespace
} // namespace postfach::imap
