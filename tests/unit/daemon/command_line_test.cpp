#include "daemon/command_line.hpp"

#include <gtest/gtest.h>

namespace {

using namespace postfach;

command_line parse(std::vector<const char*> args) {
    args.insert(args.begin(), "postfach");
    return parse_command_line(static_cast<int>(args.size()), args.data());
}

TEST(command_line, global_options_then_command_options) {
    const auto c = parse({"--config", "/c.yaml", "-v", "check", "--account", "a", "-a", "b"});
    EXPECT_FALSE(c.finished_exit_code) << c.error;
    EXPECT_EQ(c.command, command_kind::check);
    EXPECT_EQ(c.config_file, std::filesystem::path("/c.yaml"));
    EXPECT_EQ(c.verbosity, logging::verbosity::verbose);
    EXPECT_EQ(c.accounts, (std::vector<std::string>{"a", "b"}));
}

TEST(command_line, daemon_takes_accounts_but_not_sync_options) {
    const auto c = parse({"daemon", "--account", "work"});
    EXPECT_FALSE(c.finished_exit_code) << c.error;
    EXPECT_EQ(c.command, command_kind::daemon);
    EXPECT_EQ(c.accounts, (std::vector<std::string>{"work"}));
    EXPECT_EQ(parse({"daemon", "--dry-run"}).finished_exit_code, 2);
}

TEST(command_line, help_and_version) {
    auto c = parse({"--help"});
    EXPECT_EQ(c.finished_exit_code, 0);
    EXPECT_NE(c.output.find("Usage: postfach"), std::string::npos);
    c = parse({"check", "--help"});
    EXPECT_EQ(c.finished_exit_code, 0);
    EXPECT_NE(c.output.find("--account"), std::string::npos);
    c = parse({"--version"});
    EXPECT_EQ(c.finished_exit_code, 0);
    EXPECT_EQ(c.output.rfind("postfach ", 0), 0u);
}

TEST(command_line, usage_errors_exit_2_and_say_what_to_do) {
    for (auto args : std::vector<std::vector<const char*>>{{},
                                                           {"nope"},
                                                           {"-q", "-v", "check"},
                                                           {"--config"},
                                                           {"check", "--bogus"},
                                                           {"--bogus", "check"}}) {
        const auto c = parse(args);
        EXPECT_EQ(c.finished_exit_code, 2);
        EXPECT_NE(c.error.find("postfach --help"), std::string::npos) << c.error;
    }
}

TEST(command_line, quiet) {
    EXPECT_EQ(parse({"-q", "check"}).verbosity, logging::verbosity::quiet);
}

} // namespace

TEST(command_line, migrate_needs_one_account_and_a_directory) {
    auto c = parse({"migrate", "--account", "work", "--from-maildir", "/old", "--dry-run"});
    EXPECT_FALSE(c.finished_exit_code) << c.error;
    EXPECT_EQ(c.command, command_kind::migrate);
    EXPECT_EQ(c.accounts, (std::vector<std::string>{"work"}));
    EXPECT_EQ(c.from_maildir, std::filesystem::path("/old"));
    EXPECT_TRUE(c.dry_run);
    for (auto args : std::vector<std::vector<const char*>>{
             {"migrate", "--account", "work"},
             {"migrate", "--from-maildir", "/old"},
             {"migrate", "-a", "a", "-a", "b", "--from-maildir", "/old"},
             {"migrate", "-a", "a", "--from-maildir", "/old", "--force"}}) {
        c = parse(args);
        EXPECT_EQ(c.finished_exit_code, 2) << args.size();
    }
    c = parse({"migrate", "--help"});
    EXPECT_EQ(c.finished_exit_code, 0);
    EXPECT_NE(c.output.find("--from-maildir"), std::string::npos) << c.output;
    EXPECT_NE(parse({"--help"}).output.find("migrate --account NAME"), std::string::npos);
}
