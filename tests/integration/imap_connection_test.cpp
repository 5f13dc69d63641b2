// imap::connection and the folder listing against the fixture Dovecot: the secret is resolved
// again on every open(), net/'s chooser follows the configured `auth`, and the folder counts
// come from LIST-STATUS or, without it, from LIST and STATUS.

#include "imap/connection.hpp"
#include "imap/folder_listing.hpp"
#include "tests/fixture/dovecot_server.hpp"
#include "tests/support/coroutine_runner.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <fstream>
#include <gtest/gtest.h>

namespace postfach::imap {
namespace {

namespace asio = boost::asio;
using postfach::test::dovecot_server;
using postfach::test::make_message;
using postfach::test::run_until_done;

config::server_config alice_on(const dovecot_server& server, config::tls_mode tls) {
    config::server_config s;
    s.host = "localhost";
    s.tls = tls;
    s.port = tls == config::tls_mode::implicit ? server.imaps_port() : server.imap_port();
    s.ca_file = server.ca_file();
    s.user = "alice";
    s.secret.password = secret_string(server.user("alice").password);
    return s;
}

struct session_outcome {
    std::error_code ec;
    std::string diagnostics;
    std::string method;
    bool list_status = false; // the server offered LIST-STATUS after login
    std::vector<folder_info> folders;
};

session_outcome open_list_logout(const config::server_config& server) {
    asio::io_context io;
    connection c(io.get_executor(), server, connection_options_for(server, "test"));
    session_outcome out;
    run_until_done(io, [&]() -> asio::awaitable<void> {
        out.ec = co_await c.open();
        out.diagnostics = c.diagnostics();
        if (out.ec)
            co_return;
        out.method = c.authentication_method();
        out.list_status = c.session().fsm().has_capability("LIST-STATUS");
        out.ec = co_await list_folders(c.session(), out.folders, out.diagnostics);
        if (!out.ec)
            out.ec = co_await c.logout();
    });
    return out;
}

const folder_info* find(const std::vector<folder_info>& folders, std::string_view name) {
    for (const auto& f : folders)
        if (f.name == name)
            return &f;
    return nullptr;
}

TEST(imap_connection, secret_command_runs_on_every_open_and_status_without_list_status) {
    postfach::test::dovecot_options options;
    options.imap_capability = "IMAP4rev1 SASL-IR LITERAL+ SPECIAL-USE"; // no LIST-STATUS
    dovecot_server server(options);
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    server.create_folder("alice", "Entwürfe");
    postfach::test::temp_dir dir;
    const auto counter = dir.path() / "runs";
    auto s = alice_on(server, config::tls_mode::implicit);
    s.secret.source = config::secret_source::kind::password_command;
    s.secret.command = {"/bin/sh", "-c",
                        "echo run >> '" + counter.string() + "'; echo '" +
                            server.user("alice").password + "'"};

    for (int i = 0; i < 2; ++i) {
        const auto r = open_list_logout(s);
        ASSERT_FALSE(r.ec) << r.ec.message() << ": " << r.diagnostics;
        EXPECT_EQ(r.method, "AUTHENTICATE PLAIN");
        EXPECT_FALSE(r.list_status) << "the STATUS-per-folder path is what this test covers";
        const auto* inbox = find(r.folders, "INBOX");
        ASSERT_NE(inbox, nullptr);
        EXPECT_EQ(inbox->messages, 1u) << "from STATUS";
        EXPECT_EQ(inbox->unseen, 1u);
        const auto* drafts = find(r.folders, "Entwürfe");
        ASSERT_NE(drafts, nullptr);
        EXPECT_EQ(drafts->messages, 0u);
    }
    std::ifstream in(counter);
    std::string line;
    int runs = 0;
    while (std::getline(in, line))
        ++runs;
    EXPECT_EQ(runs, 2) << "the secret command runs again for every connection";
}

TEST(imap_connection, starttls_with_the_configured_mechanism) {
    dovecot_server server;
    auto s = alice_on(server, config::tls_mode::starttls);
    s.auth = {config::auth_mechanism::login};
    const auto r = open_list_logout(s);
    ASSERT_FALSE(r.ec) << r.ec.message() << ": " << r.diagnostics;
    EXPECT_EQ(r.method, "AUTHENTICATE LOGIN");
    EXPECT_TRUE(r.list_status);
    EXPECT_NE(find(r.folders, "INBOX"), nullptr);
}

} // namespace
} // namespace postfach::imap
