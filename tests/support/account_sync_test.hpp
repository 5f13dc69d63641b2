#pragma once
// A test fixture for fault tests through the built `postfach sync`: the fixture Dovecot, an
// account "work" for alice in a layout ("maildir++" or "verbatim"; layout_sync_test: the
// parameter), runs of the binary to completion or killed at a given instant, changes on the local
// side, and the message-by-message comparison of both sides (mailbox_comparison.hpp).
//
// Only the binary's command line and the fixture are used, never postfach's internals, so the
// tests hold whatever the IMAP store does inside.

#include "maildir/file_name.hpp"
#include "maildir/folder_layout.hpp"
#include "maildir/maildir_folder.hpp"
#include "tests/fixture/dovecot_server.hpp"
#include "tests/integration/postfach_binary.hpp"
#include "tests/support/account_yaml.hpp"
#include "tests/support/mailbox_comparison.hpp"
#include "util/subprocess.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <optional>
#include <poll.h>
#include <string>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace postfach::test {

// How a background run of the binary ended.
struct killed_run {
    bool killed = false; // we sent SIGKILL before it exited
    int exit_code = -1;  // when it exited by itself
    std::string output;  // its stdout and stderr
};

class account_sync_test : public postfach_binary_test {
protected:
    std::string layout_name_ = "maildir++"; // or "verbatim"

    // Options of the fixture Dovecot; override to add settings (quota, ...).
    virtual dovecot_options server_options() const { return {}; }

    void SetUp() override { server_.emplace(server_options()); }

    dovecot_server& server() { return *server_; }
    std::filesystem::path maildir() const { return dir_ / "Mail"; }
    std::filesystem::path state_dir() const { return dir_ / "state"; }
    maildir::layout_kind layout() const {
        return layout_name_ == "verbatim" ? maildir::layout_kind::verbatim
                                          : maildir::layout_kind::maildir_plus_plus;
    }
    std::filesystem::path folder_dir(const std::string& folder) const {
        std::error_code ec;
        auto dir = maildir::folder_layout(maildir(), layout()).folder_dir(folder, ec);
        if (ec)
            throw std::runtime_error("bad folder name " + folder);
        return dir;
    }

    // The account's config; port 0 means the fixture's IMAPS port. `imap_extra` lines are
    // added to the imap block (e.g. "timeout: 3s").
    std::filesystem::path config(std::uint16_t port = 0, const std::string& imap_extra = "") {
        fixture_account account;
        account.maildir = maildir();
        account.layout = layout_name_;
        account.port = port;
        account.account_lines = {"sync:", "  max_delete_fraction: 1.0"};
        if (!imap_extra.empty())
            account.imap_lines.push_back(imap_extra);
        return write_config(config_yaml(state_dir(), {account_yaml(server(), account)}));
    }

    // One `postfach sync` to completion with the current config file.
    run_output sync(std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"--config", (dir_ / "config.yaml").string(), "sync"};
        args.insert(args.end(), extra.begin(), extra.end());
        return postfach(args);
    }

    // A `postfach sync` running in the background.
    struct background_run {
        pid_t pid = -1;
        int pidfd = -1;
        std::filesystem::path log;
    };

    background_run start_sync() {
        background_run run;
        run.log = dir_ / "background-run.log";
        std::filesystem::remove(run.log);
        if (auto ec = util::start_background_process(
                {POSTFACH_BINARY, "--config", (dir_ / "config.yaml").string(), "sync"}, run.log,
                /*die_with_parent=*/true, run.pid))
            throw std::runtime_error("cannot start postfach: " + ec.message());
        run.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, run.pid, 0));
        if (run.pidfd < 0)
            throw std::runtime_error("pidfd_open failed");
        return run;
    }

    // True once the process has exited (not reaped yet), false if `limit` passed first.
    static bool wait_for_exit(const background_run& run, std::chrono::microseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0)
                return false;
            const timespec ts{static_cast<time_t>(left.count() / 1000000),
                              static_cast<long>(left.count() % 1000000) * 1000};
            pollfd p{run.pidfd, POLLIN, 0};
            const int n = ::ppoll(&p, 1, &ts, nullptr);
            if (n > 0)
                return true;
            if (n == 0)
                return false;
            if (errno != EINTR)
                throw std::runtime_error("ppoll failed");
        }
    }

    // SIGKILLs the process unless it has exited already (kill = false: waits for it), reaps
    // it and returns how it ended.
    static killed_run finish(background_run& run, bool kill) {
        killed_run out;
        if (kill)
            ::kill(run.pid, SIGKILL); // a process that exited meanwhile is a zombie: no effect
        int status = 0;
        while (::waitpid(run.pid, &status, 0) < 0 && errno == EINTR) {
        }
        ::close(run.pidfd);
        out.killed = kill && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
        if (WIFEXITED(status))
            out.exit_code = WEXITSTATUS(status);
        std::ifstream in(run.log);
        out.output.assign(std::istreambuf_iterator<char>(in), {});
        return out;
    }

    // Starts `postfach sync` and SIGKILLs it after `delay` unless it exits first; waits for it
    // to be gone either way (the kernel then has released its lock and files).
    killed_run sync_killed_after(std::chrono::microseconds delay) {
        auto run = start_sync();
        const bool exited = wait_for_exit(run, delay);
        return finish(run, !exited);
    }

    mailbox_difference compare() {
        return compare_account(server(), "alice", maildir(), layout(), {{"Trash"}});
    }

    // Local messages of a folder (rescanned).
    std::vector<maildir::message_entry> local_messages(const std::string& folder) {
        maildir::scan_result scan;
        if (auto ec = maildir::maildir_folder(folder_dir(folder)).scan(scan))
            throw std::runtime_error("scan failed: " + ec.message());
        return scan.messages;
    }

    // A new message file in the folder's new/, as a mail program would write it (LF endings).
    void write_local_message(const std::string& folder, const std::string& name,
                             const std::string& rfc822_crlf) {
        std::string text;
        for (char c : rfc822_crlf)
            if (c != '\r')
                text += c;
        const auto tmp = folder_dir(folder) / "tmp" / name;
        std::ofstream(tmp, std::ios::binary) << text;
        std::filesystem::rename(tmp, folder_dir(folder) / "new" / name);
    }

    std::optional<dovecot_server> server_;
};

// The same, once per layout: INSTANTIATE_TEST_SUITE_P(layouts, X, ::testing::Values("maildir++",
// "verbatim"), layout_test_name).
class layout_sync_test : public account_sync_test,
                         public ::testing::WithParamInterface<std::string> {
protected:
    layout_sync_test() { layout_name_ = GetParam(); }
};

// Names the layouts in test names: maildir_pp, verbatim.
inline std::string layout_test_name(const ::testing::TestParamInfo<std::string>& info) {
    return info.param == "verbatim" ? "verbatim" : "maildir_pp";
}

} // namespace postfach::test
