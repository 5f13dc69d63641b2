// `postfach init` without a server (--no-check): the questions, their defaults, the answers
// given as options, and what is refused. The check against a real server is an integration test.

#include "config/config_loader.hpp"
#include "daemon/init_command.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <sstream>

namespace postfach {
namespace {

class no_dns final : public net::name_lookup {
public:
    std::set<std::string> hosts;
    std::vector<net::srv_record> srv(const std::string&) override { return {}; }
    bool resolves(const std::string& host) override { return hosts.count(host) > 0; }
};

class init_command : public ::testing::Test {
protected:
    int run(init_request request, const std::string& answers = "") {
        request.no_check = true;
        std::istringstream in(answers);
        out_.str("");
        err_.str("");
        return run_init(request, file_, env_, dns_, in, out_, err_);
    }
    std::optional<config::configuration> written() {
        const auto loaded = config::load_config_file(file_, env_);
        return loaded.config;
    }

    test::temp_dir dir_;
    std::filesystem::path file_ = dir_.path() / "conf" / "config.yaml";
    config::environment_lookup env_ = [this](std::string_view name) -> std::optional<std::string> {
        if (name == "HOME")
            return dir_.path().string();
        return std::nullopt;
    };
    no_dns dns_;
    std::ostringstream out_, err_;
};

TEST_F(init_command, interactive_answers_with_defaults_write_a_loadable_config) {
    dns_.hosts = {"imap.example.com"};
    // address, account name (default), user (default), password command, Maildir (default)
    const int rc = run({}, "alice@Example.com\n\n\npass show mail/alice\n\n");
    ASSERT_EQ(rc, 0) << out_.str() << err_.str();
    EXPECT_NE(out_.str().find("imap.example.com:993 (IMAP, implicit TLS; common host name)"),
              std::string::npos)
        << out_.str();
    const auto cfg = written();
    ASSERT_TRUE(cfg);
    const auto& a = cfg->accounts.at(0);
    EXPECT_EQ(a.name, "example");
    EXPECT_EQ(a.maildir, dir_.path() / "Mail/example");
    ASSERT_TRUE(a.imap);
    EXPECT_EQ(a.imap->host, "imap.example.com");
    EXPECT_EQ(a.imap->user, "alice@Example.com");
    EXPECT_EQ(a.imap->secret.command, (std::vector<std::string>{"pass", "show", "mail/alice"}));
}

TEST_F(init_command, the_user_picks_among_several_servers) {
    dns_.hosts = {"imap.example.com", "mail.example.com"};
    const int rc = run({}, "a@example.com\n2\nwork\n\ncat pw\n~/M\n");
    ASSERT_EQ(rc, 0) << err_.str();
    const auto cfg = written();
    ASSERT_TRUE(cfg);
    EXPECT_EQ(cfg->accounts.at(0).name, "work");
    EXPECT_EQ(cfg->accounts.at(0).imap->host, "mail.example.com");
    EXPECT_EQ(cfg->accounts.at(0).maildir, dir_.path() / "M");
}

TEST_F(init_command, non_interactive_names_the_missing_option_and_writes_nothing) {
    init_request r;
    r.non_interactive = true;
    r.email = "a@example.com";
    r.host = "imap.example.com";
    EXPECT_EQ(run(r), 2);
    EXPECT_NE(err_.str().find("--password-command CMD or --password-file FILE"), std::string::npos)
        << err_.str();
    EXPECT_FALSE(std::filesystem::exists(file_));
}

TEST_F(init_command, a_closed_stdin_is_no_answer) {
    EXPECT_EQ(run({}, ""), 2);
    EXPECT_NE(err_.str().find("pass --email ADDRESS"), std::string::npos) << err_.str();
}

TEST_F(init_command, options_answer_everything_and_gmail_gets_an_oauth2_block) {
    init_request r;
    r.non_interactive = true;
    r.email = "me@gmail.com";
    r.oauth2_token_command = "oama access me@gmail.com";
    r.layout = "verbatim";
    ASSERT_EQ(run(r), 0) << err_.str();
    EXPECT_NE(out_.str().find("OAuth2"), std::string::npos) << out_.str();
    const auto cfg = written();
    ASSERT_TRUE(cfg);
    const auto& a = cfg->accounts.at(0);
    EXPECT_EQ(a.name, "gmail");
    EXPECT_EQ(a.layout, config::layout_kind::verbatim);
    EXPECT_EQ(a.imap->host, "imap.gmail.com");
    EXPECT_EQ(a.imap->secret.source, config::secret_source::kind::oauth2_token_command);
}

TEST_F(init_command, refuses_bad_answers_and_an_existing_file) {
    init_request r;
    r.non_interactive = true;
    r.email = "not-an-address";
    EXPECT_EQ(run(r), 2);
    EXPECT_NE(err_.str().find("is not an e-mail address"), std::string::npos);

    r.email = "a@nowhere.invalid";
    r.password_command = "true";
    EXPECT_EQ(run(r), 2);
    EXPECT_NE(err_.str().find("found no mail server for nowhere.invalid"), std::string::npos);

    r.host = "imap.example.com";
    r.name = "Bad Name";
    EXPECT_EQ(run(r), 2);
    EXPECT_NE(err_.str().find("use only a-z, 0-9, _ and -"), std::string::npos);

    std::filesystem::create_directories(file_.parent_path());
    std::ofstream(file_) << "keep me\n";
    r.name = "ok";
    EXPECT_EQ(run(r), 2);
    EXPECT_NE(err_.str().find("exists"), std::string::npos);
    std::ifstream in(file_);
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "keep me");
    r.force = true;
    EXPECT_EQ(run(r), 0) << err_.str();
}

} // namespace
} // namespace postfach
