#pragma once
// The validated configuration of design.md §2. Every knob has its default here, in one place;
// the loader only fills in what the file says. Paths are already expanded (~, $HOME, $XDG_*).

#include "util/secret.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace postfach::config {

enum class tls_mode { implicit, starttls, none };
enum class layout_kind { maildir_plus_plus, verbatim };
enum class protocol_kind { auto_detect, imap, pop3 };
enum class sync_direction { both, pull, push };
enum class expunge_mode { both, local, remote, none };
enum class auth_mechanism { plain, login, xoauth2, oauthbearer };
enum class server_kind { imap, pop3 };

// Where a server block's secret comes from: exactly one of the four keys.
struct secret_source {
    enum class kind { password, password_file, password_command, oauth2_token_command };
    kind source = kind::password;
    secret_string password;           // kind::password
    std::filesystem::path file;       // kind::password_file
    std::vector<std::string> command; // password_command / oauth2_token_command, as argv
};

struct server_config {
    std::string host;
    std::uint16_t port = 0; // defaulted from tls and the server kind
    tls_mode tls = tls_mode::implicit;
    std::optional<std::filesystem::path> ca_file; // empty: the system trust store
    std::string user;
    secret_source secret;
    std::vector<auth_mechanism> auth; // empty: pick the best the server offers
    bool allow_plaintext = false;     // permits tls: none to a non-loopback host
    // How long the server may stay silent (or refuse our data) before the connection counts
    // as dead: the read and write deadlines, and at most this for connect + TLS handshake.
    std::chrono::milliseconds timeout{std::chrono::minutes(2)};
    // false only by an explicit `tls_verify: false` on this block: the certificate is then not
    // checked at all (and every connection logs a warning). There is no global switch.
    bool tls_verify = true;
    // POP3 blocks only:
    bool leave_on_server = true;
    unsigned delete_after_days = 0; // 0 = never delete
};

struct folder_filter {
    std::vector<std::string> include{"*"};
    std::vector<std::string> exclude;
};

struct sync_config {
    sync_direction direction = sync_direction::both;
    expunge_mode expunge = expunge_mode::both;
    double max_delete_fraction = 0.5;
};

struct hooks_config {
    std::vector<std::string> on_new_mail; // argv; empty = none
};

struct account_config {
    std::string name;
    std::filesystem::path maildir;
    layout_kind layout = layout_kind::maildir_plus_plus;
    protocol_kind protocol = protocol_kind::auto_detect;
    std::optional<server_config> imap;
    std::optional<server_config> pop3; // for protocol auto: derived from imap when absent
    folder_filter folders;
    sync_config sync;
    bool idle = true;
    std::chrono::seconds poll_interval{std::chrono::minutes(5)};
    // Daemon: IMAP connections at most, the pass connection included (watching without NOTIFY
    // uses the others for IDLE on the busiest folders).
    unsigned max_connections = 4;
    hooks_config hooks;
    std::optional<std::filesystem::path> mailboxes_file;
};

struct configuration {
    std::filesystem::path source; // the file this was read from
    std::filesystem::path state_dir;
    std::vector<account_config> accounts;

    [[nodiscard]] const account_config* find_account(std::string_view name) const;
};

// Default ports: 993/143 for IMAP, 995/110 for POP3 (implicit TLS vs. STARTTLS or none).
std::uint16_t default_port(server_kind kind, tls_mode tls);

// The POP3 block used with protocol auto when the account has none: the IMAP block's host,
// user and secret, on the POP3 port that matches its TLS mode.
server_config derive_pop3_from_imap(const server_config& imap);

// For messages: "implicit", "starttls", "maildir++", "password_command", ...
std::string_view to_string(tls_mode);
std::string_view to_string(layout_kind);
std::string_view to_string(protocol_kind);
std::string_view to_string(sync_direction);
std::string_view to_string(expunge_mode);
std::string_view to_string(auth_mechanism);
std::string_view to_string(secret_source::kind);

} // namespace postfach::config
