// The Asio side of the IMAP client over net/'s fake_stream: connection setup, the folder
// listing (LIST-STATUS or LIST + STATUS), LOGOUT, and a transport error at every operation.

#include "imap/client_session.hpp"
#include "imap/folder_listing.hpp"
#include "imap/imap_errc.hpp"
#include "net/fake_stream.hpp"
#include "net/net_errc.hpp"
#include "net/sasl_mechanism.hpp"
#include "tests/support/coroutine_runner.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace postfach::imap {
namespace {

namespace asio = boost::asio;
using postfach::test::run_until_done;

// fake_stream counts queued arrivals as received, which start_tls() refuses (an injection).
// This stream hands the arrivals after the marker to the fake only once TLS is started, as a
// real server sends them only after the handshake.
constexpr std::string_view after_tls = "<TLS>";

class staged_stream final : public net::byte_stream {
public:
    explicit staged_stream(const std::vector<std::string>& script) {
        bool tls = false;
        for (const auto& arrival : script) {
            if (arrival == after_tls)
                tls = true;
            else if (tls)
                after_tls_.push_back(arrival);
            else
                fake.feed(arrival);
        }
    }
    asio::awaitable<std::error_code> start_tls() override {
        const auto ec = co_await fake.start_tls();
        for (const auto& arrival : after_tls_)
            fake.feed(arrival);
        after_tls_.clear();
        co_return ec;
    }
    asio::awaitable<std::error_code> write(std::string_view data) override {
        return fake.write(data);
    }
    asio::awaitable<std::error_code> read_line(std::string& line) override {
        return fake.read_line(line);
    }
    asio::awaitable<std::error_code> read_exactly(std::size_t n, std::string& data) override {
        return fake.read_exactly(n, data);
    }
    asio::awaitable<std::error_code> read_some(std::string& data) override {
        return fake.read_some(data);
    }
    void close() override { fake.close(); }
    bool uses_tls() const override { return fake.uses_tls(); }
    bool peer_is_loopback() const override { return fake.peer_is_loopback(); }
    const std::string& diagnostics() const override { return fake.diagnostics(); }

    net::fake_stream fake;

private:
    std::vector<std::string> after_tls_;
};

const std::vector<std::string> list_status_script = {
    "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n",
    "A1 OK Begin TLS negotiation now.\r\n",
    std::string(after_tls),
    "* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN\r\nA2 OK listed\r\n",
    "A3 OK [CAPABILITY IMAP4rev1 LIST-STATUS SPECIAL-USE] Logged in\r\n",
    "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
    "* STATUS INBOX (MESSAGES 2 UNSEEN 1)\r\n"
    "* LIST (\\HasNoChildren \\Drafts) \"/\" \"Entw&APw-rfe\"\r\n"
    "* STATUS \"Entw&APw-rfe\" (MESSAGES 0 UNSEEN 0)\r\n"
    "A4 OK List completed\r\n",
    "* BYE Logging out\r\nA5 OK Logout completed.\r\n",
};

const std::string list_status_written =
    "A1 STARTTLS\r\n"
    "A2 CAPABILITY\r\n"
    "A3 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n"
    "A4 LIST \"\" * RETURN (SPECIAL-USE STATUS (MESSAGES UNSEEN))\r\n"
    "A5 LOGOUT\r\n";

struct flow_result {
    std::error_code ec;
    std::string diagnostics;
    std::vector<folder_info> folders;
    std::string method;
};

// What `postfach check` does: open, list the folders, log out. Stops at the first error.
flow_result run_flow(net::byte_stream& stream, transport_security security) {
    asio::io_context io;
    net::sasl_credentials credentials;
    credentials.user = "alice";
    credentials.secret = secret_string("secret");
    // One of net/'s mechanisms, through the interface the session uses.
    auto plain = net::make_sasl_mechanism(config::auth_mechanism::plain, credentials);
    session_options options;
    options.security = security;
    options.mechanisms = {plain.get()};
    client_session session(stream, std::move(options), "test");
    flow_result result;
    run_until_done(io, [&]() -> asio::awaitable<void> {
        result.ec = co_await session.open();
        if (!result.ec) {
            result.method = session.fsm().authentication_method();
            result.ec = co_await list_folders(session, result.folders, result.diagnostics);
        }
        if (!result.ec)
            result.ec = co_await session.logout();
        if (result.diagnostics.empty())
            result.diagnostics = session.diagnostics();
    });
    return result;
}

TEST(client_session, starttls_login_list_status_logout) {
    staged_stream stream(list_status_script);
    const auto r = run_flow(stream, transport_security::starttls);
    ASSERT_FALSE(r.ec) << r.ec.message() << ": " << r.diagnostics;
    EXPECT_EQ(stream.fake.take_written(), list_status_written);
    EXPECT_TRUE(stream.fake.uses_tls());
    EXPECT_FALSE(stream.fake.is_open()) << "closed after LOGOUT";
    EXPECT_EQ(r.method, "AUTHENTICATE PLAIN");
    ASSERT_EQ(r.folders.size(), 2u);
    EXPECT_EQ(r.folders[0].name, "INBOX");
    EXPECT_EQ(r.folders[0].messages, 2u);
    EXPECT_EQ(r.folders[0].unseen, 1u);
    EXPECT_EQ(r.folders[1].name, "Entwürfe") << "decoded from modified UTF-7";
    EXPECT_EQ(r.folders[1].wire_name, "Entw&APw-rfe");
    EXPECT_EQ(r.folders[1].messages, 0u);
}

// Logs in over `fake` (whose script follows the login's answer with `after_login`), submits a
// NOOP if asked, then logs out until the LOGOUT is sent; returns its error and the commands
// left unanswered.
std::pair<std::error_code, std::size_t> logout_until_sent(net::fake_stream& fake, bool noop,
                                                          std::string_view after_login) {
    fake.feed("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] ready\r\n");
    fake.feed("A1 OK [CAPABILITY IMAP4rev1] Logged in\r\n");
    if (!after_login.empty())
        fake.feed(after_login);
    net::sasl_credentials credentials;
    credentials.user = "alice";
    credentials.secret = secret_string("secret");
    auto plain = net::make_sasl_mechanism(config::auth_mechanism::plain, credentials);
    session_options options;
    options.mechanisms = {plain.get()};
    client_session session(fake, std::move(options), "test");
    asio::io_context io;
    std::error_code logout_ec;
    run_until_done(io, [&]() -> asio::awaitable<void> {
        CO_ASSERT_NO_ERROR(co_await session.open(), session.diagnostics());
        std::string tag;
        if (noop)
            CO_ASSERT_NO_ERROR(session.submit(session.fsm().writer().noop(), tag),
                               session.diagnostics());
        logout_ec = co_await session.logout(logout_wait::until_sent);
    });
    return {logout_ec, session.fsm().in_flight()};
}

// A pass's LOGOUT (until_sent): the command is written, nothing more is read (the script has
// no answer for it), and the stream is closed.
TEST(client_session, logout_until_sent_reads_no_answer) {
    net::fake_stream fake;
    const auto [ec, unanswered] = logout_until_sent(fake, false, {});
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(fake.take_written(), "A1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\nA2 LOGOUT\r\n");
    EXPECT_FALSE(fake.is_open());
}

// ... but a command still unanswered is read to its end first, and the LOGOUT's answer with it.
TEST(client_session, logout_until_sent_still_reads_commands_in_flight) {
    net::fake_stream fake;
    const auto [ec, unanswered] =
        logout_until_sent(fake, true, "A2 OK noop\r\n* BYE bye\r\nA3 OK Logout completed.\r\n");
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(unanswered, 0U) << "the NOOP and the LOGOUT were answered";
    EXPECT_FALSE(fake.is_open());
}

TEST(client_session, list_then_status_per_selectable_folder) {
    staged_stream stream(std::vector<std::string>{
        "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] ready\r\n",
        "A1 OK [CAPABILITY IMAP4rev1] Logged in\r\n",
        "* LIST (\\Noselect \\HasChildren) \"/\" Archiv\r\n"
        "* LIST (\\HasNoChildren) \"/\" Archiv/2024\r\n"
        "A2 OK List completed\r\n",
        "* STATUS Archiv/2024 (MESSAGES 7 UNSEEN 0)\r\nA3 OK\r\n",
        "A4 OK Logout completed.\r\n",
    });
    const auto r = run_flow(stream, transport_security::implicit_tls);
    ASSERT_FALSE(r.ec) << r.ec.message() << ": " << r.diagnostics;
    EXPECT_EQ(stream.fake.take_written(), "A1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n"
                                          "A2 LIST \"\" *\r\n"
                                          "A3 STATUS Archiv/2024 (MESSAGES UNSEEN)\r\n"
                                          "A4 LOGOUT\r\n");
    ASSERT_EQ(r.folders.size(), 2u);
    EXPECT_FALSE(r.folders[0].selectable);
    EXPECT_FALSE(r.folders[0].messages);
    EXPECT_EQ(r.folders[1].messages, 7u);
}

TEST(client_session, refusals_quote_the_server) {
    const std::string greeting = "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] ready\r\n";
    struct refusal {
        std::vector<std::string> script;
        imap_errc expected;
        std::string quoted;
    };
    const std::vector<refusal> refusals = {
        {{greeting, "A1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"},
         imap_errc::auth_failed,
         "\"Authentication failed.\""},
        {{greeting, "A1 OK [CAPABILITY IMAP4rev1] Logged in\r\n",
          "A2 NO [SERVERBUG] Internal error\r\n"},
         imap_errc::command_failed,
         "\"Internal error\""},
    };
    for (const auto& refused : refusals) {
        staged_stream stream(refused.script);
        const auto r = run_flow(stream, transport_security::implicit_tls);
        EXPECT_EQ(r.ec, refused.expected) << refused.quoted;
        EXPECT_NE(r.diagnostics.find(refused.quoted), std::string::npos) << r.diagnostics;
    }
}

TEST(client_session, starttls_not_offered) {
    staged_stream stream(
        std::vector<std::string>{"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n"});
    const auto r = run_flow(stream, transport_security::starttls);
    EXPECT_EQ(r.ec, imap_errc::starttls_not_offered);
    EXPECT_EQ(stream.fake.take_written(), "") << "no credentials, no command before STARTTLS";
}

TEST(client_session, starttls_injection_is_refused) {
    auto script = list_status_script;
    script[1] += "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n";
    staged_stream stream(script);
    const auto r = run_flow(stream, transport_security::starttls);
    EXPECT_EQ(r.ec, imap_errc::starttls_injection);
    EXPECT_EQ(stream.fake.take_written(), "A1 STARTTLS\r\n");
}

TEST(client_session, transport_error_at_every_operation) {
    staged_stream complete(list_status_script);
    ASSERT_FALSE(run_flow(complete, transport_security::starttls).ec);
    const auto operations = complete.fake.operations();
    ASSERT_GT(operations, 10u);
    for (std::size_t i = 0; i < operations; ++i) {
        staged_stream stream(list_status_script);
        stream.fake.fail_operation(i, net::net_errc::read_timeout);
        const auto r = run_flow(stream, transport_security::starttls);
        EXPECT_EQ(r.ec, net::net_errc::read_timeout) << "operation " << i;
        EXPECT_NE(r.diagnostics.find("operation " + std::to_string(i)), std::string::npos)
            << "the stream's explanation, operation " << i << ": " << r.diagnostics;
    }
}

TEST(client_session, connection_closed_at_every_arrival) {
    for (std::size_t n = 0; n + 1 < list_status_script.size(); ++n) {
        std::vector<std::string> cut(list_status_script.begin(),
                                     list_status_script.begin() + static_cast<long>(n));
        if (n == 2)
            continue; // the same as 3: the marker is no arrival
        staged_stream stream(cut);
        const auto r = run_flow(stream, transport_security::starttls);
        EXPECT_EQ(r.ec, net::net_errc::connection_closed) << n << " arrivals";
    }
}

} // namespace
} // namespace postfach::imap
