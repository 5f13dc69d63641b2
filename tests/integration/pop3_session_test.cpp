// The sans-IO POP3 session and parser against the private Dovecot, over a plain loopback socket
// (pop3_port(); the fixture allows plaintext login on loopback) driven by a minimal blocking
// loop, as the IMAP integration test does (net/ provides the real, TLS-capable transport).

#include "net/sasl_mechanism.hpp"
#include "pop3/pop3_errc.hpp"
#include "pop3/session_fsm.hpp"
#include "tests/fixture/dovecot_server.hpp"
#include "tests/support/loopback_fsm_driver.hpp"

#include <chrono>
#include <cstring>
#include <functional>
#include <gtest/gtest.h>
#include <map>

namespace postfach::pop3 {
namespace {

using postfach::test::dovecot_server;
using postfach::test::make_message;

class string_sink final : public message_sink {
public:
    void begin() override {
        text.clear();
        ended = false;
    }
    void data(std::string_view chunk) override { text += chunk; }
    void end() override { ended = true; }
    std::string text;
    bool ended = false;
};

using loopback_driver = test::loopback_fsm_driver<session_fsm>;

session_options user_pass(const std::string& user, const std::string& password) {
    session_options o;
    o.security = transport_security::none; // loopback only
    o.login = login_credentials{user, secret_string(password)};
    return o;
}

command must(std::optional<command> c, const std::error_code& ec) {
    EXPECT_FALSE(ec) << ec.message();
    return c.value_or(command{});
}

TEST(pop3_session, fetch_and_delete_against_dovecot) {
    dovecot_server server;
    const auto first = make_message("first", "Hello.\r\n");
    // Lines starting with a dot arrive dot-stuffed and must come back byte for byte.
    const auto dotted = make_message("dots", ".leading dot\r\n..two dots\r\n.\r\nend\r\n");
    server.add_message("alice", "INBOX", first);
    server.add_message("alice", "INBOX", dotted);

    loopback_driver driver(server.pop3_port());
    session_fsm fsm(user_pass("alice", server.user("alice").password));
    fsm.on_connected();
    ASSERT_TRUE(driver.run(fsm));
    ASSERT_EQ(fsm.current_phase(), session_fsm::phase::ready) << fsm.diagnostics();
    EXPECT_EQ(fsm.authentication_method(), "USER/PASS");
    EXPECT_TRUE(fsm.has_capability("UIDL"));

    std::error_code ec;
    std::vector<response> r;
    auto record = [&](const response& x) {
        r.push_back(x);
    };
    string_sink retr1, retr2, top2;
    ASSERT_FALSE(fsm.submit(commands::stat(), record));
    ASSERT_FALSE(fsm.submit(must(commands::uidl(std::nullopt, ec), ec), record));
    ASSERT_FALSE(fsm.submit(must(commands::list(std::nullopt, ec), ec), record));
    ASSERT_FALSE(fsm.submit(must(commands::retr(1, ec), ec), record, &retr1));
    ASSERT_FALSE(fsm.submit(must(commands::retr(2, ec), ec), record, &retr2));
    ASSERT_FALSE(fsm.submit(must(commands::top(2, 0, ec), ec), record, &top2));
    ASSERT_FALSE(fsm.submit(must(commands::uidl(2, ec), ec), record));
    ASSERT_FALSE(fsm.submit(must(commands::list(9, ec), ec), record));
    ASSERT_TRUE(driver.run(fsm));
    ASSERT_EQ(r.size(), 8u) << fsm.diagnostics();

    EXPECT_EQ(r[0].listings, (std::vector<scan_listing>{{2, first.size() + dotted.size()}}));
    ASSERT_EQ(r[1].uidls.size(), 2u);
    EXPECT_EQ(r[1].uidls[0].number, 1u);
    EXPECT_NE(r[1].uidls[0].uid, r[1].uidls[1].uid);
    EXPECT_EQ(r[2].listings, (std::vector<scan_listing>{{1, first.size()}, {2, dotted.size()}}));
    EXPECT_EQ(retr1.text, first);
    EXPECT_TRUE(retr1.ended);
    EXPECT_EQ(retr2.text, dotted);
    EXPECT_EQ(r[4].message_octets, dotted.size());
    EXPECT_EQ(top2.text, dotted.substr(0, dotted.find("\r\n\r\n") + 4));
    EXPECT_EQ(r[6].uidls, (std::vector<uidl_entry>{r[1].uidls[1]}));
    EXPECT_FALSE(r[7].ok());

    // DELE only marks; QUIT commits.
    ASSERT_FALSE(fsm.submit(must(commands::dele(1, ec), ec), record));
    ASSERT_TRUE(driver.run(fsm));
    ASSERT_EQ(r.size(), 9u);
    EXPECT_TRUE(r[8].ok()) << r[8].text;
    EXPECT_EQ(server.message_count("alice", "INBOX"), 2u);
    ASSERT_FALSE(fsm.quit());
    ASSERT_TRUE(driver.run(fsm));
    EXPECT_EQ(fsm.next().type, next_action::kind::done);
    EXPECT_FALSE(fsm.error()) << fsm.diagnostics();
    EXPECT_EQ(server.message_count("alice", "INBOX"), 1u);
}

TEST(pop3_session, dele_without_quit_keeps_the_message) {
    dovecot_server server;
    server.add_message("bob", "INBOX", make_message("keep me"));
    {
        loopback_driver driver(server.pop3_port());
        session_fsm fsm(user_pass("bob", server.user("bob").password));
        fsm.on_connected();
        ASSERT_TRUE(driver.run(fsm));
        std::error_code ec;
        std::optional<response> dele;
        ASSERT_FALSE(
            fsm.submit(must(commands::dele(1, ec), ec), [&](const response& x) { dele = x; }));
        ASSERT_TRUE(driver.run(fsm));
        ASSERT_TRUE(dele && dele->ok()) << fsm.diagnostics();
        driver.close(); // connection lost before QUIT
    }
    // A new session sees the message: nothing was committed.
    loopback_driver driver(server.pop3_port());
    session_fsm fsm(user_pass("bob", server.user("bob").password));
    fsm.on_connected();
    ASSERT_TRUE(driver.run(fsm));
    std::optional<response> stat;
    ASSERT_FALSE(fsm.submit(commands::stat(), [&](const response& x) { stat = x; }));
    ASSERT_TRUE(driver.run(fsm));
    ASSERT_TRUE(stat) << fsm.diagnostics();
    EXPECT_EQ(stat->listings.at(0).number, 1u);
}

TEST(pop3_session, sasl_plain_from_net_and_wrong_password) {
    dovecot_server server;
    auto plain_for = [](std::string password) {
        return [password](const std::vector<std::string>&) {
            net::sasl_credentials credentials;
            credentials.user = "carol";
            credentials.secret = secret_string(password);
            return net::make_sasl_mechanism(config::auth_mechanism::plain, credentials);
        };
    };
    {
        loopback_driver driver(server.pop3_port());
        session_options o;
        o.security = transport_security::none;
        o.choose_mechanism = plain_for(server.user("carol").password);
        session_fsm fsm(std::move(o));
        fsm.on_connected();
        ASSERT_TRUE(driver.run(fsm));
        ASSERT_EQ(fsm.current_phase(), session_fsm::phase::ready) << fsm.diagnostics();
        EXPECT_EQ(fsm.authentication_method(), "AUTH PLAIN");
        ASSERT_FALSE(fsm.quit());
        ASSERT_TRUE(driver.run(fsm));
        EXPECT_FALSE(fsm.error()) << fsm.diagnostics();
    }
    loopback_driver driver(server.pop3_port());
    session_options o;
    o.security = transport_security::none;
    o.choose_mechanism = plain_for("wrong");
    session_fsm fsm(std::move(o));
    fsm.on_connected();
    ASSERT_TRUE(driver.run(fsm));
    EXPECT_EQ(fsm.error(), pop3_errc::auth_failed) << fsm.diagnostics();
    EXPECT_FALSE(is_transient(fsm.error()));
    EXPECT_NE(fsm.diagnostics().find("[\"AUTH\"]"), std::string::npos) << fsm.diagnostics();
}

} // namespace
} // namespace postfach::pop3
