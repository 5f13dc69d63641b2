#pragma once
// One POP3 pass for an account: download into the Maildir INBOX what the state does not know,
// then delete on the server what the config says may go (design.md §4.7, protocol-notes §4).
//
// Identity of a server message: (UIDL, size). A UIDL the state knows with another size is a
// recycled UIDL: the message is new (its record is replaced once it is stored). Servers without
// UIDL (CAPA lacks it, or UIDL answers -ERR): TOP n 0, and the key is "mid:<Message-ID>" (or
// "hdr:<SHA-256 of the header block>" without one) with the LIST size.
//
// Deletion: leave_on_server (default) deletes nothing, unless delete_after_days N > 0: then
// messages first fetched at least N days before `now`. leave_on_server false: every message the
// state records as durably stored. DELE is committed by QUIT only; deleted counts after it.
//
// Switching from IMAP (design.md §4.8): fetch_options::on_disk; a message already in the INBOX
// is recognised by its identity and not fetched again.
//
// Errors: fetch_result::retry_later tells retry-later ([IN-USE], [LOGIN-DELAY], [SYS/TEMP],
// network) from the rest. Messages made durable before an error stay recorded; a
// failed pass ends the connection without QUIT, so none of its DELE is committed.

#include "config/config.hpp"
#include "pop3/client.hpp"
#include "state/state_store.hpp"

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <vector>

namespace postfach::pop3 {

// Test hook: a simulated crash right after a batch became durable, before the state recorded
// it (the pass returns std::errc::interrupted there).
struct fetch_test_hooks {
    bool stop_after_maildir_commit = false;
};

struct fetch_options {
    bool leave_on_server = true;
    unsigned delete_after_days = 0; // with leave_on_server; 0 = never
    std::size_t batch_size = 64;    // messages per Maildir group commit
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now(); // for tests
    // List and count what a pass would fetch and delete (fetch_result::to_fetch, to_delete),
    // then QUIT: no RETR, no DELE, no Maildir or UIDL change.
    bool dry_run = false;
    // Identities (sync/message_identity.hpp) of the messages already in the INBOX, e.g. stored
    // by an IMAP pass before the account switched to POP3 (design.md §4.8). A message the state
    // does not know is first identified by TOP n 0 + its LIST size; one found here is recorded
    // as fetched without RETR. Empty: no TOP, every unknown message is fetched.
    std::set<std::string> on_disk;
    fetch_test_hooks hooks;
};

// leave_on_server and delete_after_days of a server block.
fetch_options fetch_options_for(const config::server_config& server);

struct fetch_result {
    std::size_t on_server = 0; // messages listed by the server
    std::size_t fetched = 0;   // stored durably and recorded in this pass
    std::uint64_t bytes = 0;   // bytes received for them (CRLF)
    std::size_t deleted = 0;   // deleted on the server (QUIT succeeded)
    // dry_run: what the pass would fetch (messages, bytes) and delete.
    std::size_t to_fetch = 0;
    std::uint64_t to_fetch_bytes = 0;
    std::size_t to_delete = 0;
    std::size_t recognised = 0; // unknown UIDLs found in on_disk: recorded, not fetched
    // The pass failed for a reason worth retrying later without the user (exit 75): [IN-USE],
    // [LOGIN-DELAY], [SYS/TEMP], network trouble. Not for Maildir or state database errors.
    bool retry_later = false;
    // The login succeeded (the server counts it for LOGIN-DELAY), and the LOGIN-DELAY CAPA
    // announced after it, in seconds (RFC 2449 §6.5), if any.
    bool logged_in = false;
    std::optional<std::uint32_t> login_delay;
};

class pop3_fetcher {
public:
    // inbox_dir: the INBOX maildir (tmp/, new/, cur/ must exist). All referenced objects must
    // outlive the fetcher.
    pop3_fetcher(client& session, state::state_store& store, std::filesystem::path inbox_dir,
                 fetch_options options);

    // Runs the pass on an open (ready) client and ends it with QUIT. result is filled as far as
    // the pass got, also on error.
    boost::asio::awaitable<std::error_code> run(fetch_result& result);

    [[nodiscard]] const std::string& diagnostics() const noexcept { return diagnostics_; }

private:
    struct server_message;
    class delivery_sink;

    boost::asio::awaitable<std::error_code> run_pass(fetch_result& result);
    boost::asio::awaitable<std::error_code> list(std::vector<server_message>& out);
    boost::asio::awaitable<std::error_code> identify_by_headers(std::vector<server_message>& m);
    // TOP n 0 of each message, pipelined: the header blocks (CRLF, with the empty line).
    boost::asio::awaitable<std::error_code> read_headers(const std::vector<server_message*>& m,
                                                         std::vector<std::string>& headers);
    // Takes out of `wanted` what fetch_options::on_disk has, recording its UIDL as stored.
    boost::asio::awaitable<std::error_code> recognise_on_disk(std::vector<server_message*>& wanted,
                                                              fetch_result& result);
    boost::asio::awaitable<std::error_code> fetch(const std::vector<server_message*>& wanted,
                                                  fetch_result& result);
    boost::asio::awaitable<std::error_code> remove(const std::vector<server_message>& messages,
                                                   fetch_result& result);
    // Intents of a crash between the Maildir commit and the state commit (see fetch()).
    std::error_code recover_intents();
    std::error_code record_intents(const std::map<std::string, server_message*>& batch,
                                   std::int64_t now, bool add);
    std::error_code fail(std::error_code ec, std::string diagnostics);
    std::error_code state_error(std::error_code ec);

    client& client_;
    state::state_store& store_;
    std::filesystem::path inbox_dir_;
    fetch_options options_;
    std::string diagnostics_;
    bool local_failure_ = false; // the error of this pass is the Maildir's or the state's
};

// A whole pass: resolves the secret, connects (TLS per config), logs in, runs pop3_fetcher.
boost::asio::awaitable<std::error_code>
fetch_account(const config::server_config& server, std::string account, state::state_store& store,
              const std::filesystem::path& inbox_dir, const fetch_options& options,
              fetch_result& result, std::string& diagnostics);

} // namespace postfach::pop3
