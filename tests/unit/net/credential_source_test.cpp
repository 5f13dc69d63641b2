#include "net/credential_errc.hpp"
#include "net/credential_source.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace postfach::net {
namespace {

namespace fs = std::filesystem;
using kind = config::secret_source::kind;

class credential_source_test : public ::testing::Test {
protected:
    fs::path write_file(std::string_view content, fs::perms perms) {
        const auto path = dir_ / "secret";
        std::ofstream(path, std::ios::binary) << content;
        fs::permissions(path, perms);
        return path;
    }

    struct outcome {
        std::error_code ec;
        std::string secret;
        std::string diagnostics;
    };

    static outcome resolve(const config::secret_source& source, credential_options options = {}) {
        outcome o;
        secret_string secret;
        o.ec = resolve_secret(source, secret, o.diagnostics, options);
        o.secret = std::string(secret.reveal());
        return o;
    }

    static config::secret_source file_source(const fs::path& path) {
        config::secret_source s;
        s.source = kind::password_file;
        s.file = path;
        return s;
    }

    static config::secret_source command_source(std::vector<std::string> argv,
                                                kind k = kind::password_command) {
        config::secret_source s;
        s.source = k;
        s.command = std::move(argv);
        return s;
    }

    postfach::test::temp_dir temp_;
    const fs::path& dir_ = temp_.path();
};

constexpr auto owner_only = fs::perms::owner_read | fs::perms::owner_write;

TEST_F(credential_source_test, password_is_taken_as_is) {
    config::secret_source s;
    s.password = secret_string(" pass word ");
    const auto o = resolve(s);
    ASSERT_FALSE(o.ec) << o.diagnostics;
    EXPECT_EQ(o.secret, " pass word ");
}

TEST_F(credential_source_test, password_file_gives_its_first_line) {
    auto o = resolve(file_source(write_file("hunter2\nsecond line\n", owner_only)));
    ASSERT_FALSE(o.ec) << o.diagnostics;
    EXPECT_EQ(o.secret, "hunter2");
    o = resolve(file_source(write_file("hunter2\r\n", owner_only)));
    EXPECT_EQ(o.secret, "hunter2");
    o = resolve(file_source(write_file("no newline", fs::perms::owner_read)));
    EXPECT_EQ(o.secret, "no newline");
}

TEST_F(credential_source_test, password_file_readable_by_others_is_refused_with_the_fix) {
    for (const auto extra : {fs::perms::group_read, fs::perms::others_read}) {
        const auto path = write_file("hunter2\n", owner_only | extra);
        const auto o = resolve(file_source(path));
        EXPECT_EQ(o.ec, credential_errc::file_too_permissive);
        EXPECT_NE(o.diagnostics.find("chmod 600 " + path.string()), std::string::npos)
            << o.diagnostics;
        EXPECT_EQ(o.diagnostics.find("hunter2"), std::string::npos);
        EXPECT_TRUE(o.secret.empty());
    }
}

TEST_F(credential_source_test, missing_or_empty_password_file_is_an_error) {
    auto o = resolve(file_source(dir_ / "absent"));
    EXPECT_EQ(o.ec, credential_errc::file_unreadable);
    EXPECT_NE(o.diagnostics.find("absent"), std::string::npos) << o.diagnostics;
    o = resolve(file_source(dir_));
    EXPECT_EQ(o.ec, credential_errc::file_unreadable);
    EXPECT_NE(o.diagnostics.find("not a regular file"), std::string::npos) << o.diagnostics;
    o = resolve(file_source(write_file("\nsecond", owner_only)));
    EXPECT_EQ(o.ec, credential_errc::empty_secret);
}

TEST_F(credential_source_test, command_gives_the_first_line_of_its_stdout) {
    auto o = resolve(command_source({"printf", "s3cret\\nmetadata: x\\n"}));
    ASSERT_FALSE(o.ec) << o.diagnostics;
    EXPECT_EQ(o.secret, "s3cret");
    o = resolve(command_source({"printf", "ya29.token"}, kind::oauth2_token_command));
    ASSERT_FALSE(o.ec) << o.diagnostics;
    EXPECT_EQ(o.secret, "ya29.token");
}

TEST_F(credential_source_test, failing_command_shows_its_exit_and_stderr) {
    const auto o =
        resolve(command_source({"sh", "-c", "echo 'gpg: decryption failed' >&2; exit 3"}));
    EXPECT_EQ(o.ec, credential_errc::command_failed);
    EXPECT_NE(o.diagnostics.find("exited with status 3"), std::string::npos) << o.diagnostics;
    EXPECT_NE(o.diagnostics.find("gpg: decryption failed"), std::string::npos) << o.diagnostics;
    EXPECT_NE(o.diagnostics.find("password_command"), std::string::npos) << o.diagnostics;
}

TEST_F(credential_source_test, the_secret_never_reaches_the_message) {
    const auto o = resolve(
        command_source({"sh", "-c", "echo hunter2; echo 'cannot confirm hunter2' >&2; exit 1"}));
    EXPECT_EQ(o.ec, credential_errc::command_failed);
    EXPECT_EQ(o.diagnostics.find("hunter2"), std::string::npos) << o.diagnostics;
    EXPECT_NE(o.diagnostics.find("cannot confirm ***"), std::string::npos) << o.diagnostics;
    EXPECT_TRUE(o.secret.empty());
}

TEST_F(credential_source_test, empty_output_is_an_error_with_stderr) {
    const auto o = resolve(
        command_source({"sh", "-c", "echo 'no token cached' >&2"}, kind::oauth2_token_command));
    EXPECT_EQ(o.ec, credential_errc::empty_secret);
    EXPECT_NE(o.diagnostics.find("no token cached"), std::string::npos) << o.diagnostics;
    EXPECT_NE(o.diagnostics.find("oauth2_token_command"), std::string::npos) << o.diagnostics;
}

TEST_F(credential_source_test, missing_program_cannot_be_started) {
    const auto o = resolve(command_source({(dir_ / "no-such-helper").string()}));
    EXPECT_EQ(o.ec, credential_errc::command_not_started);
    EXPECT_NE(o.diagnostics.find("no-such-helper"), std::string::npos) << o.diagnostics;
}

TEST_F(credential_source_test, slow_command_is_killed_at_the_timeout) {
    credential_options options;
    options.command_timeout = std::chrono::milliseconds(200);
    const auto started = std::chrono::steady_clock::now();
    const auto o = resolve(command_source({"sleep", "30"}), options);
    EXPECT_EQ(o.ec, credential_errc::command_timed_out);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
    EXPECT_NE(o.diagnostics.find("200 ms"), std::string::npos) << o.diagnostics;
}

} // namespace
} // namespace postfach::net
