#pragma once
// Compares an account's mail on the fixture Dovecot with its local Maildir, message by message:
// the acceptance check of the fault tests ("nothing lost, nothing duplicated").
//
// A message is its content (CRLF normalised to LF, so the server's wire form and our LF files
// compare equal) plus its standard flags (D F P R S T: the five IMAP system flags and
// $Forwarded). Per folder, both sides are multisets of messages; the comparison reports every
// message missing on one side, present more often on one side (a duplicate), or present on
// both with different flags, each with its Subject and Message-ID so a failure reads plainly.
//
// The server side is read from Dovecot's own Maildir under dovecot_server::maildir() (folders
// from `doveadm mailbox list`, $Forwarded through dovecot-keywords), so call it only while no
// postfach runs (the test waited for the process). The local side is read with maildir/
// (folder_layout + maildir_folder), in either layout.

#include "maildir/folder_layout.hpp"
#include "maildir/message_flags.hpp"
#include "tests/fixture/dovecot_server.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace postfach::test {

struct compared_message {
    std::uint64_t content_hash = 0; // FNV-1a 64 of the content with CRLF -> LF
    maildir::flag_set flags;
    std::string label; // "'Subject' <message-id> (cur/file:2,S)": for reports only
};

// Folder name (UTF-8, '/' separated) -> its messages.
struct mailbox_snapshot {
    std::map<std::string, std::vector<compared_message>> folders;
    [[nodiscard]] std::size_t message_count() const;
};

struct snapshot_options {
    std::vector<std::string> excluded_folders; // exact names, e.g. {"Trash"} as in the config
};

// The user's server mailbox. Throws std::runtime_error when it cannot be read.
mailbox_snapshot server_snapshot(dovecot_server& server, const std::string& user,
                                 const snapshot_options& options = {});
// The local Maildir. Throws std::runtime_error when it cannot be read.
mailbox_snapshot local_snapshot(const std::filesystem::path& root, maildir::layout_kind layout,
                                const snapshot_options& options = {});

struct mailbox_difference {
    std::size_t only_on_server = 0; // missing locally
    std::size_t only_local = 0;     // missing on the server
    std::size_t duplicated = 0;     // extra copies on one side
    std::size_t flags_differ = 0;
    std::size_t folders_differ = 0; // a folder on one side only
    std::vector<std::string> lines; // one per finding, readable

    [[nodiscard]] bool equal() const { return lines.empty(); }
    // "equal (N messages in M folders)" or the findings, one per line (at most `limit`).
    [[nodiscard]] std::string describe(std::size_t limit = 40) const;
};

mailbox_difference compare(const mailbox_snapshot& server, const mailbox_snapshot& local);

// The usual call: both snapshots, then compare. For EXPECT_TRUE(d.equal()) << d.describe().
mailbox_difference compare_account(dovecot_server& server, const std::string& user,
                                   const std::filesystem::path& maildir_root,
                                   maildir::layout_kind layout,
                                   const snapshot_options& options = {});

} // namespace postfach::test
