// `postfach init` through the binary against the fixture Dovecot: the settings are checked
// before anything is written; a wrong password writes nothing; the written file is 0600 and
// `postfach check` and `postfach sync` work with it as it is.

#include "tests/fixture/dovecot_server.hpp"
#include "tests/integration/postfach_binary.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace postfach::test {
namespace {

class init : public postfach_binary_test {
protected:
    std::filesystem::path password_file(const std::string& password) {
        const auto file = dir_ / "password";
        std::ofstream(file) << password << "\n";
        std::filesystem::permissions(
            file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
            std::filesystem::perm_options::replace);
        return file;
    }
    std::vector<std::string> init_args(const std::filesystem::path& secret) const {
        return {"--config",
                config_.string(),
                "init",
                "--non-interactive",
                "--email",
                "alice@localhost",
                "--user",
                "alice",
                "--host",
                "localhost",
                "--port",
                std::to_string(server.imaps_port()),
                "--ca-file",
                server.ca_file().string(),
                "--password-file",
                secret.string(),
                "--maildir",
                (dir_ / "Mail").string()};
    }

    dovecot_server server;
    std::filesystem::path config_ = dir_ / "cfg" / "postfach.yaml";
};

TEST_F(init, checks_the_server_then_writes_a_0600_config_that_syncs) {
    server.add_message("alice", "INBOX", make_message("hello", "hi\r\n"));
    const auto r = postfach(init_args(password_file(server.user("alice").password)));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("Checking the settings"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("login     alice with"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Wrote " + config_.string() + " (mode 0600)"), std::string::npos);
    struct stat st {};
    ASSERT_EQ(::stat(config_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    const auto check = postfach({"--config", config_.string(), "check"});
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
    const auto sync = postfach({"--config", config_.string(), "sync"});
    ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
    int files = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir_ / "Mail/new"))
        ++files;
    EXPECT_EQ(files, 1);
}

TEST_F(init, a_wrong_password_writes_nothing_and_says_how_to_go_on) {
    const auto r = postfach(init_args(password_file("wrong")));
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("nothing was written"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(config_));
}

TEST_F(init, interactive_answers_come_from_stdin) {
    const auto secret = password_file(server.user("alice").password);
    // address, account name, user, Maildir; host and password file come as options.
    const auto r = postfach({"--config", config_.string(), "init", "--host", "localhost", "--port",
                             std::to_string(server.imaps_port()), "--ca-file",
                             server.ca_file().string(), "--password-file", secret.string()},
                            "alice@localhost\nmine\nalice\n~/Post\n");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("Account name [localhost]: "), std::string::npos) << r.out;
    const auto check = postfach({"--config", config_.string(), "check", "--account", "mine"});
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

} // namespace
} // namespace postfach::test
