// `postfach check` through the binary against the fixture Dovecot: IMAPS and STARTTLS, folders
// with counts, a wrong password, an untrusted certificate, a server without STARTTLS, the
// --verbose trace without the password, and several accounts where one fails.

#include "tests/fixture/dovecot_server.hpp"
#include "tests/integration/postfach_binary.hpp"
#include "tests/integration/scripted_server.hpp"

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <thread>

namespace postfach::test {
namespace {

class check : public postfach_binary_test {
protected:
    // One account block for alice on the fixture. tls: implicit (IMAPS) or starttls (IMAP).
    std::string account(const std::string& name, const std::string& tls,
                        const std::string& password, bool with_ca = true) const {
        const auto port = tls == "implicit" ? server.imaps_port() : server.imap_port();
        return fmt::format("  - name: {}\n"
                           "    maildir: ~/Mail/{}\n"
                           "    protocol: imap\n"
                           "    imap:\n"
                           "      host: localhost\n"
                           "      port: {}\n"
                           "      tls: {}\n"
                           "{}"
                           "      user: alice\n"
                           "      password: \"{}\"\n",
                           name, name, port, tls,
                           with_ca ? fmt::format("      ca_file: {}\n", server.ca_file().string())
                                   : std::string(),
                           password);
    }
    std::string password() const { return server.user("alice").password; }
    run_output check_config(const std::string& accounts,
                            const std::vector<std::string>& extra = {}) {
        const auto config = write_config("accounts:\n" + accounts);
        std::vector<std::string> args{"--config", config.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        args.emplace_back("check");
        return postfach(args);
    }

    dovecot_server server;
};

TEST_F(check, imaps_lists_the_folders_with_counts) {
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    server.add_message("alice", "INBOX", make_message("two", "2\r\n"), {"\\Seen"});
    server.create_folder("alice", "Entwürfe");
    server.add_message("alice", "Entwürfe", make_message("draft", "d\r\n"));
    const auto r = check_config(account("work", "implicit", password()));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    for (const auto* expected :
         {"connected localhost at 127.0.0.1 port", "tls       TLSv1.", "CN=localhost",
          "issued by CN=postfach test CA", "valid until ",
          "login     alice with AUTHENTICATE PLAIN", "IMAP4REV1", "mailboxes 5\n",
          "\n    INBOX     2 messages, 1 unseen\n", "\n    Entwürfe  1 message, 1 unseen\n",
          "\n    Sent      0 messages (\\Sent)\n", "result    ok, logged out"})
        EXPECT_NE(r.out.find(expected), std::string::npos) << expected << " in\n" << r.out;
    EXPECT_EQ(r.out.find("does not connect"), std::string::npos);
    EXPECT_EQ(r.err, "");
    std::cout << "postfach check output:\n" << r.out;
}

TEST_F(check, starttls_succeeds) {
    const auto r = check_config(account("work", "starttls", password()));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("tls       TLSv1."), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("result    ok, logged out"), std::string::npos) << r.out;
}

TEST_F(check, wrong_password_quotes_the_server_and_other_accounts_are_still_checked) {
    const auto r = check_config(
        account("bad", "implicit", "not-the-password") + account("good", "starttls", password()) +
        fmt::format("  - name: old\n    maildir: ~/Mail/old\n"
                    "    protocol: pop3\n    pop3: {{host: localhost, "
                    "port: {}, ca_file: {}, user: alice, password: {}}}\n",
                    server.pop3s_port(), server.ca_file().string(), password()));
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("postfach: account bad: authentication failed for user alice: "),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("alice: NO [AUTHENTICATIONFAILED] \"Authentication failed.\""),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("check user and the secret"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line:\n" << r.err;
    EXPECT_NE(r.out.find("result    ok, logged out"), std::string::npos) << "good was checked";
    EXPECT_NE(r.out.find(fmt::format("connected localhost at 127.0.0.1 port {} (POP3)",
                                     server.pop3s_port())),
              std::string::npos)
        << "old was checked over POP3: " << r.out;
    EXPECT_EQ((r.out + r.err).find("not-the-password"), std::string::npos);
}

TEST_F(check, certificate_without_ca_file_is_not_trusted) {
    const auto r = check_config(account("work", "implicit", password(), false));
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("postfach: account work: TLS verification failed for localhost:"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("set ca_file"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("login "), std::string::npos) << "no login without trust:\n" << r.out;
}

TEST_F(check, server_without_starttls_is_refused) {
    boost::asio::io_context io;
    std::string client_sent = "(nothing)";
    scripted_server greeter(io, [&](tcp::socket& socket) -> asio::awaitable<void> {
        co_await send(socket, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] no TLS here\r\n");
        asio::streambuf buffer;
        client_sent = co_await receive_line(socket, buffer);
    });
    std::thread server_thread([&] { io.run(); });
    const auto config = write_config(fmt::format("accounts:\n  - name: plain\n"
                                                 "    maildir: ~/Mail/plain\n    imap:\n"
                                                 "      host: 127.0.0.1\n      port: {}\n"
                                                 "      tls: starttls\n      user: alice\n"
                                                 "      password: \"p4ss-w0rd\"\n",
                                                 greeter.port()));
    const auto r = postfach({"--config", config.string(), "check"});
    server_thread.join();
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("postfach: account plain: STARTTLS not offered by 127.0.0.1:"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(client_sent, "") << "the client sent nothing, least of all the password";
}

TEST_F(check, verbose_traces_the_protocol_without_the_password) {
    const auto r = check_config(account("work", "starttls", password()), {"--verbose"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto all = r.out + r.err;
    EXPECT_NE(all.find("work: connected to localhost (127.0.0.1) port"), std::string::npos) << all;
    EXPECT_NE(all.find("work C: A1 STARTTLS"), std::string::npos) << all;
    EXPECT_NE(all.find("AUTHENTICATE PLAIN ***"), std::string::npos) << all;
    EXPECT_NE(all.find("work S: * LIST"), std::string::npos) << all;
    EXPECT_NE(all.find("LOGOUT"), std::string::npos) << all;
    EXPECT_EQ(all.find(password()), std::string::npos) << "the password leaked:\n" << all;
}

} // namespace
} // namespace postfach::test
