// After `postfach sync` against the fixture Dovecot: the on_new_mail hook ran once per folder
// that got new mail, with the POSTFACH_* environment, and the mailboxes_file names the local
// folders; a pass without new mail runs no hook, and a failing hook does not fail the sync.

#include "tests/fixture/dovecot_server.hpp"
#include "tests/integration/postfach_binary.hpp"
#include "tests/support/account_yaml.hpp"

#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace postfach::test {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

class pass_followup_command : public postfach_binary_test {
protected:
    fs::path hook_log() const { return dir_ / "hook.log"; }
    fs::path mailboxes() const { return dir_ / "mutt" / "mailboxes"; }

    run_output sync(int hook_exit = 0) {
        const auto hook = dir_ / "hook.sh";
        std::ofstream(hook) << fmt::format(
            "#!/bin/sh\necho \"$POSTFACH_ACCOUNT $POSTFACH_FOLDER $POSTFACH_NEW_COUNT\" >> {}\n"
            "exit {}\n",
            hook_log().string(), hook_exit);
        fs::permissions(hook, fs::perms::owner_all);
        fixture_account account;
        account.maildir = dir_ / "Mail";
        account.account_lines = {"hooks:", "  on_new_mail: " + hook.string(),
                                 "mailboxes_file: " + mailboxes().string()};
        const auto config =
            write_config(config_yaml(dir_ / "state", {account_yaml(server, account)}));
        return postfach({"--config", config.string(), "sync"});
    }

    dovecot_server server;
};

TEST_F(pass_followup_command, hook_runs_per_folder_with_new_mail_and_mailboxes_follow_folders) {
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    server.add_message("alice", "INBOX", make_message("two", "2\r\n"));
    server.create_folder("alice", "Lists");
    server.add_message("alice", "Lists", make_message("three", "3\r\n"));
    auto r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(read_file(hook_log()), "work INBOX 2\nwork Lists 1\n");
    const auto root = (dir_ / "Mail").string();
    EXPECT_EQ(read_file(mailboxes()), fmt::format("mailboxes '{0}' '{0}/.Drafts' '{0}/.Lists' "
                                                  "'{0}/.Sent'\n",
                                                  root));

    // Nothing new: no hook. A new server folder: the mailboxes line follows.
    server.create_folder("alice", "Projects");
    r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(read_file(hook_log()), "work INBOX 2\nwork Lists 1\n");
    EXPECT_NE(read_file(mailboxes()).find("'" + root + "/.Projects'"), std::string::npos)
        << read_file(mailboxes());
}

TEST_F(pass_followup_command, a_failing_hook_is_logged_and_the_sync_succeeds) {
    server.add_message("alice", "INBOX", make_message("one", "1\r\n"));
    const auto r = sync(7);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(read_file(hook_log()), "work INBOX 1\n");
    EXPECT_NE(r.err.find("on_new_mail hook for INBOX (1 new) exited with status 7"),
              std::string::npos)
        << r.err;
}

} // namespace
} // namespace postfach::test
