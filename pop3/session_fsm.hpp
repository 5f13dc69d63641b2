#pragma once
// The POP3 client session as a sans-IO state machine: it decides what to send and when; the
// transport (net/) performs its actions on a real or a fake stream. Transport loop:
//
//   fsm.on_connected();
//   for (;;) switch (auto a = fsm.next(); a.type) {
//     write:     send a.bytes (trace with a.sensitive);   fsm.on_written();
//     read:      read some bytes;                          fsm.on_bytes(bytes);
//     start_tls: TLS handshake on the same socket;         fsm.on_tls_established();
//     idle:      nothing due: submit() commands or quit()
//     done:      close; a.error is empty after a clean QUIT
//   }
// On a transport failure call fsm.on_transport_error(ec); next() then says done with it.
//
// Connection setup: greeting (+OK; an APOP timestamp "<...>" in it is kept) -> CAPA -> STLS when
// the security is starttls (bytes after its +OK are rejected: STLS injection) -> CAPA again ->
// AUTH with the mechanism choose_mechanism picks from the SASL list (net::sasl_exchange frames
// it: base64 lines, "=", "*" to cancel), else APOP (if asked for and
// the greeting had a timestamp), else USER/PASS -> CAPA again (RFC 2449 §5) -> ready.
// In ready, commands are queued; with PIPELINING the commands queued until the transport asks
// for its next write go out in that one write, and the responses are matched in order (RFC 2449
// §6.6); without it one command at a time.
//
// Deletions: DELE only marks messages. The server removes them only when QUIT succeeds (RFC 1939
// §6, the UPDATE state); a connection that ends any other way, or RSET, keeps every message. So
// a caller that deleted must treat the deletions as done only after quit() ends the session
// without error.

#include "net/sasl_exchange.hpp"
#include "net/sasl_mechanism.hpp"
#include "pop3/command.hpp"
#include "pop3/command_writer.hpp"
#include "pop3/message_sink.hpp"
#include "pop3/response_parser.hpp"
#include "util/secret.hpp"
#include "util/session_security.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace postfach::pop3 {

using util::login_credentials;
using util::transport_security;

struct session_options {
    transport_security security = transport_security::implicit_tls;
    // Called once, before authentication, with the mechanism names the server lists under SASL
    // (only if it lists any). Returns the mechanism to use (net::choose_sasl_mechanism +
    // net::make_sasl_mechanism), or nullptr to use APOP or USER/PASS. May be empty.
    std::function<std::unique_ptr<net::sasl_mechanism>(const std::vector<std::string>& offered)>
        choose_mechanism;
    // USER/PASS (or APOP), used when no mechanism above is offered.
    std::optional<login_credentials> login;
    // APOP instead of USER/PASS when the greeting carries a timestamp.
    bool use_apop = false;
    parser_limits limits;
};

struct next_action {
    enum class kind { write, read, start_tls, idle, done };
    kind type = kind::read;
    std::string_view bytes; // write: valid until on_written()
    bool sensitive = false; // write: the bytes carry credentials; trace only their length
    std::error_code error;  // done: empty after a clean QUIT
};

class session_fsm {
public:
    enum class phase {
        connecting,
        greeting,
        capa,
        stls,
        tls_handshake,
        authenticating,
        ready,
        quitting,
        done,
    };
    // Called with the command's response, +OK or -ERR (a -ERR does not end the session). Not
    // called if the session fails first (the session's error covers it).
    using completion = std::function<void(const response&)>;

    explicit session_fsm(session_options options);

    void on_connected();
    void on_bytes(std::string_view data);
    void on_written();
    void on_tls_established();
    void on_transport_error(std::error_code ec);

    [[nodiscard]] next_action next() const;

    // In phase ready: queues a command from commands::...; for RETR/TOP the body goes to sink
    // (nullptr discards; it must outlive the response). Fails with wrong_state without queuing.
    std::error_code submit(command cmd, completion done = {}, message_sink* sink = nullptr);
    // Sends QUIT after the queued commands; the session is done at its +OK, which commits the
    // deletions. A -ERR to QUIT (deletions failed) ends the session with command_failed.
    std::error_code quit();

    [[nodiscard]] phase current_phase() const noexcept { return phase_; }
    [[nodiscard]] bool has_capability(std::string_view name) const;
    [[nodiscard]] const std::vector<capability>& capabilities() const noexcept {
        return capabilities_;
    }
    // The server's decoded error challenge of a failed bearer-token AUTH, or empty: untrusted.
    [[nodiscard]] std::string sasl_server_error() const;
    // CAPA's LOGIN-DELAY after login (RFC 2449 §6.5): minimum seconds between logins.
    [[nodiscard]] std::optional<std::uint32_t> login_delay() const;
    // The greeting's APOP timestamp with its angle brackets; empty if none.
    [[nodiscard]] const std::string& apop_timestamp() const noexcept { return timestamp_; }
    // How the session authenticated, for `postfach check`: "AUTH PLAIN", "APOP", "USER/PASS".
    [[nodiscard]] const std::string& authentication_method() const noexcept {
        return authentication_method_;
    }
    [[nodiscard]] std::size_t in_flight() const noexcept { return in_flight_.size(); }
    [[nodiscard]] std::error_code error() const noexcept { return error_; }
    // What went wrong, naming the command and quoting the server; empty if nothing did.
    [[nodiscard]] const std::string& diagnostics() const noexcept { return diagnostics_; }

private:
    struct pending {
        command cmd;
        completion done;
        message_sink* sink = nullptr;
    };
    struct outgoing {
        std::string bytes;
        bool sensitive = false;
    };

    void send(command cmd, completion done = {}, message_sink* sink = nullptr);
    void write_line(const command& cmd); // a SASL line inside the AUTH exchange
    void pump();
    void expect_front();
    void handle(response r);
    void on_greeting(const response& r);
    void on_capa(const response& r);
    void after_capa();
    void start_authentication();
    void on_sasl_challenge(const response& r);
    void on_authentication(const pending& p, const response& r);
    void fail(std::error_code ec, std::string diagnostics);

    session_options options_;
    response_parser parser_;
    phase phase_ = phase::connecting;
    std::error_code error_;
    std::string diagnostics_;

    std::vector<capability> capabilities_;
    bool capa_known_ = false;
    bool tls_active_ = false;
    bool authenticated_ = false;
    std::string timestamp_;

    std::deque<pending> queue_;     // submitted, not yet written
    std::deque<pending> in_flight_; // written (or being written), awaiting the response
    std::deque<outgoing> outbox_;   // writes, in order
    // next() has handed out the front write's bytes: they must stay put until on_written().
    mutable bool front_handed_out_ = false;

    std::unique_ptr<net::sasl_exchange> exchange_;
    std::optional<secret_string> withheld_initial_response_;
    std::error_code sasl_error_;
    std::string authentication_method_;
};

} // namespace postfach::pop3
