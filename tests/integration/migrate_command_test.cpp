// `postfach migrate` through the binary: a Maildir of a few hundred messages (Maildir++, INBOX
// and a folder the server lacks), half of it already on the server: only the other half is
// uploaded, with its flags and dates (Date header, else the file time); --dry-run uploads
// nothing; a second run uploads nothing.

#include "tests/fixture/dovecot_server.hpp"
#include "tests/integration/maildir_contents.hpp"
#include "tests/integration/postfach_binary.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <optional>

namespace postfach::test {
namespace {

namespace fs = std::filesystem;

constexpr int inbox_count = 200;
constexpr int on_server = 100; // messages 0..99 are on the server already
constexpr int archive_count = 10;

// Seconds since the epoch of message i's Date header, or nothing (every 10th has none).
std::optional<std::int64_t> date_of(int i) {
    if (i % 10 == 1)
        return std::nullopt;
    return 1'000'000'000 + static_cast<std::int64_t>(i) * 86'400;
}

std::int64_t mtime_of(int i) {
    return 1'200'000'000 + i;
}

std::string flags_of(int i) {
    return i % 3 == 0 ? "S" : i % 3 == 1 ? "FS" : "";
}

std::string message(const std::string& subject, int i) {
    std::string date;
    if (const auto d = date_of(i)) {
        const std::time_t t = *d;
        std::tm tm{};
        ::gmtime_r(&t, &tm);
        char text[64];
        std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &tm);
        date = fmt::format("Date: {}\r\n", text);
    }
    return fmt::format("From: Old Friend <friend@postfach.test>\r\n"
                       "To: alice@postfach.test\r\n"
                       "Subject: {}\r\n"
                       "{}Message-ID: <{}@migrate.postfach.test>\r\n"
                       "\r\n"
                       "Body of {}.\r\n",
                       subject, date, subject, subject);
}

std::string to_lf(std::string text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i)
        if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n'))
            out += text[i];
    return out;
}

// Writes message i into a local maildir folder directory as a POP3 client would have left it.
void write_local(const fs::path& folder, const std::string& subject, int i) {
    for (const char* sub : {"tmp", "new", "cur"})
        fs::create_directories(folder / sub);
    const auto flags = flags_of(i);
    const auto path =
        flags.empty() ? folder / "new" / fmt::format("{}.M{}P1.oldhost", 1000 + i, i)
                      : folder / "cur" / fmt::format("{}.M{}P1.oldhost:2,{}", 1000 + i, i, flags);
    std::ofstream(path, std::ios::binary) << to_lf(message(subject, i));
    fs::last_write_time(
        path, fs::file_time_type::clock::from_sys(
                  std::chrono::system_clock::time_point(std::chrono::seconds(mtime_of(i)))));
}

class migrate_command : public postfach_binary_test {
protected:
    void SetUp() override {
        std::vector<dovecot_server::message_spec> already;
        for (int i = 0; i < inbox_count; ++i) {
            const auto subject = fmt::format("m{}", i);
            write_local(old_maildir(), subject, i);
            if (i < on_server) {
                std::vector<std::string> flags;
                if (!flags_of(i).empty())
                    flags.push_back("\\Seen");
                already.push_back({message(subject, i), flags});
            }
        }
        for (int j = 0; j < archive_count; ++j)
            write_local(old_maildir() / ".Archive", fmt::format("a{}", j), j);
        std::ofstream(old_maildir() / ".Archive" / "maildirfolder");
        server.add_messages("alice", "INBOX", already);
        ASSERT_EQ(server.message_count("alice", "INBOX"), static_cast<std::size_t>(on_server));
    }

    fs::path old_maildir() const { return dir_ / "pop3-era"; }

    run_output migrate(std::vector<std::string> extra = {}) {
        const auto cfg = write_config(
            fmt::format("state_dir: {}\n"
                        "accounts:\n"
                        "  - name: work\n"
                        "    maildir: {}\n"
                        "    protocol: imap\n"
                        "    imap:\n"
                        "      host: localhost\n"
                        "      port: {}\n"
                        "      ca_file: {}\n"
                        "      user: alice\n"
                        "      password: \"{}\"\n",
                        (dir_ / "state").string(), (dir_ / "Mail").string(), server.imaps_port(),
                        server.ca_file().string(), server.user("alice").password));
        std::vector<std::string> args{
            "--config",       cfg.string(),          "migrate", "--account", "work",
            "--from-maildir", old_maildir().string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return postfach(args);
    }

    // The server's file of message `subject` in INBOX: its info part and mtime.
    struct server_file {
        std::string info;
        std::int64_t mtime = 0;
    };
    std::optional<server_file> on_server_file(const std::string& subject) {
        const auto dir = server.maildir("alice");
        for (const auto& [base, info] : messages_in(dir))
            for (const char* sub : {"new", "cur"})
                for (const auto& e : fs::directory_iterator(dir / sub)) {
                    if (e.path().filename().string().substr(0, base.size()) != base)
                        continue;
                    std::ifstream in(e.path(), std::ios::binary);
                    const std::string text{std::istreambuf_iterator<char>(in), {}};
                    if (text.find("Subject: " + subject + "\n") == std::string::npos &&
                        text.find("Subject: " + subject + "\r\n") == std::string::npos)
                        continue;
                    const auto t = fs::last_write_time(e.path());
                    return server_file{info,
                                       std::chrono::duration_cast<std::chrono::seconds>(
                                           fs::file_time_type::clock::to_sys(t).time_since_epoch())
                                           .count()};
                }
        return std::nullopt;
    }

    dovecot_server server;
};

TEST_F(migrate_command, uploads_only_what_the_server_lacks_with_flags_and_dates) {
    auto r = migrate({"--dry-run"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const auto to_upload = inbox_count - on_server + archive_count;
    EXPECT_NE(r.out.find(fmt::format("would upload {} ", to_upload)), std::string::npos) << r.out;
    std::size_t lines = 0;
    for (auto at = r.out.find(": upload "); at != std::string::npos;
         at = r.out.find(": upload ", at + 1))
        ++lines;
    EXPECT_EQ(lines, static_cast<std::size_t>(to_upload));
    EXPECT_EQ(server.message_count("alice", "INBOX"), static_cast<std::size_t>(on_server));

    r = migrate();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find(fmt::format("uploaded {} ", to_upload)), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(fmt::format("{} already on the server", on_server)), std::string::npos)
        << r.out;
    EXPECT_EQ(server.message_count("alice", "INBOX"), static_cast<std::size_t>(inbox_count));
    EXPECT_EQ(server.message_count("alice", "Archive"), static_cast<std::size_t>(archive_count));

    for (int i : {150, 151, 152, 199}) {
        SCOPED_TRACE(i);
        const auto file = on_server_file(fmt::format("m{}", i));
        ASSERT_TRUE(file);
        const auto flags = flags_of(i);
        // Without flags Dovecot may have moved the file from new/ to cur/ ("2,").
        if (flags.empty())
            EXPECT_TRUE(file->info.empty() || file->info == "2,") << file->info;
        else
            EXPECT_EQ(file->info, "2," + flags);
        EXPECT_EQ(file->mtime, date_of(i).value_or(mtime_of(i))) << "INTERNALDATE";
    }

    r = migrate();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("uploaded 0 "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(fmt::format("{} already on the server", inbox_count + archive_count)),
              std::string::npos)
        << r.out;
    EXPECT_EQ(server.message_count("alice", "INBOX"), static_cast<std::size_t>(inbox_count));
}

TEST_F(migrate_command, refuses_a_missing_directory_and_a_pop3_account) {
    auto r = postfach({"--config",
                       write_config(fmt::format("accounts:\n"
                                                "  - name: old\n"
                                                "    maildir: {}\n"
                                                "    protocol: pop3\n"
                                                "    pop3:\n"
                                                "      host: localhost\n"
                                                "      user: alice\n"
                                                "      password: x\n",
                                                (dir_ / "Mail").string()))
                           .string(),
                       "migrate", "--account", "old", "--from-maildir", old_maildir().string()});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("protocol pop3"), std::string::npos) << r.err;
    r = postfach({"migrate", "--account", "work"});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("--from-maildir"), std::string::npos) << r.err;
}

} // namespace
} // namespace postfach::test
