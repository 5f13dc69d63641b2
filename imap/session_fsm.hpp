#pragma once
// The IMAP client session as a sans-IO state machine: it decides what to send and when, and the
// transport (net/) performs its actions on a real or a fake stream. Transport loop:
//
//   fsm.on_connected();
//   for (;;) switch (auto a = fsm.next(); a.type) {
//     write:      send a.bytes (trace with a.sensitive);       fsm.on_written();
//     write_body: send a.body_size bytes of the APPEND a.tag;   fsm.on_written();
//     read:       read some bytes;                              fsm.on_bytes(bytes);
//     start_tls:  TLS handshake on the same socket;             fsm.on_tls_established();
//     idle:       nothing due: submit() commands, or read for unsolicited data
//     done:       close; a.error is empty after a clean LOGOUT
//   }
// On a transport failure call fsm.on_transport_error(ec); next() then says done with it.
// A full-duplex transport may instead keep one reader calling on_bytes() at any time (the fsm
// accepts bytes in every phase) and one writer taking write actions from next(); the writer
// calls on_written() before it asks for the next action.
//
// Connection setup: greeting -> CAPABILITY unless the greeting had it -> STARTTLS when required
// (bytes after its OK are rejected: STARTTLS injection) -> CAPABILITY again -> AUTHENTICATE with
// the first offered mechanism (SASL-IR when offered), or LOGIN unless LOGINDISABLED ->
// capabilities from the OK or a new CAPABILITY -> ready. Then commands are pipelined up to
// pipeline_depth; untagged data goes to the untagged_handler at any time.

#include "imap/command.hpp"
#include "imap/command_writer.hpp"
#include "imap/response_parser.hpp"
#include "imap/untagged_handler.hpp"
#include "util/sasl_mechanism.hpp"
#include "util/secret.hpp"
#include "util/session_security.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace postfach::imap {

using util::sasl_mechanism;
using capability_set = std::set<std::string, std::less<>>;

using util::login_credentials;
using util::transport_security;

struct session_options {
    transport_security security = transport_security::implicit_tls;
    // SASL mechanisms in order of preference; the first the server offers (AUTH=NAME) is used.
    // Not owned; they must outlive the authentication.
    std::vector<sasl_mechanism*> mechanisms;
    // When set, used instead of `mechanisms`: picks the mechanism once the capabilities before
    // authentication are known (net/'s chooser, which also weighs the config and the
    // connection). Sets chosen (not owned; it must outlive the authentication), or returns an
    // error with a reason in diagnostics, which fails the session with that error.
    std::function<std::error_code(const capability_set& capabilities, sasl_mechanism*& chosen,
                                  std::string& diagnostics)>
        choose_mechanism;
    // The LOGIN command, used when no mechanism above is offered, never under LOGINDISABLED.
    std::optional<login_credentials> login;
    // Commands in flight at once (sent, tagged response not yet received).
    std::size_t pipeline_depth = 8;
    parser_limits limits;
};

struct next_action {
    enum class kind { write, write_body, read, start_tls, idle, done };
    kind type = kind::read;
    std::string_view bytes;      // write: valid until on_written()
    bool sensitive = false;      // write: the bytes carry credentials; trace only their length
    std::string_view tag;        // write_body: the APPEND whose body to send
    std::uint64_t body_size = 0; // write_body
    std::error_code error;       // done: empty after a clean LOGOUT
};

class session_fsm {
public:
    enum class phase {
        connecting,
        greeting,
        capability,
        starttls,
        tls_handshake,
        authenticating,
        ready,
        logging_out,
        done,
    };
    using completion = std::function<void(const status_response&)>;

    // handler may be nullptr (untagged data dropped); it must outlive the fsm.
    session_fsm(session_options options, untagged_handler* handler);

    void on_connected();
    void on_bytes(std::string_view data);
    void on_written();
    void on_tls_established();
    void on_transport_error(std::error_code ec);

    [[nodiscard]] next_action next() const;

    // In phase ready: queues a command built with writer(). Fails (pipeline_full, wrong_state)
    // without queuing. `done` is called with the tagged response (OK, NO or BAD); not called
    // if the session fails first (the session's error covers it).
    std::error_code submit(command cmd, completion done = {});
    // Sends LOGOUT; the session is done (without error) at its tagged OK.
    std::error_code logout();
    // Ends IDLE (sends DONE) once the server has answered IDLE with "+"; the IDLE command then
    // completes with its tagged OK.
    std::error_code stop_idle();
    [[nodiscard]] bool idling() const noexcept { return idling_; }
    // Bytes of a submitted command are still to be written.
    [[nodiscard]] bool has_output() const noexcept { return !outbox_.empty(); }

    command_writer& writer() noexcept { return writer_; }
    response_parser& parser() noexcept { return parser_; }
    [[nodiscard]] phase current_phase() const noexcept { return phase_; }
    [[nodiscard]] bool has_capability(std::string_view name) const;
    [[nodiscard]] const capability_set& capabilities() const noexcept { return capabilities_; }
    [[nodiscard]] std::size_t in_flight() const noexcept { return in_flight_.size(); }
    // How the session authenticated, for `postfach check`: "AUTHENTICATE PLAIN", "LOGIN",
    // "PREAUTH"; empty before.
    [[nodiscard]] const std::string& authentication_method() const noexcept {
        return authentication_method_;
    }
    [[nodiscard]] std::error_code error() const noexcept { return error_; }
    // What went wrong, naming the command and quoting the server; empty if nothing did.
    [[nodiscard]] const std::string& diagnostics() const noexcept { return diagnostics_; }

private:
    struct queued_part {
        std::string tag;
        command_part part;
    };
    struct pending_command {
        std::string tag;
        std::string name;
        completion done;
    };

    void send(command cmd, completion done);
    void handle(response&& r);
    void handle_tagged(const status_response& r);
    void handle_continuation(const continuation_response& r);
    void handle_status_untagged(const status_response& r);
    void advance();
    void start_authentication();
    void authentication_done(const status_response& r);
    void set_capabilities(const std::vector<std::string>& caps);
    void fail(std::error_code ec, std::string diagnostics);
    std::string in_flight_names() const;

    session_options options_;
    untagged_handler* handler_;
    command_writer writer_;
    response_parser parser_;
    phase phase_ = phase::connecting;
    std::error_code error_;
    std::string diagnostics_;

    capability_set capabilities_;
    bool capabilities_known_ = false;
    bool tls_active_ = false;
    bool authenticated_ = false;

    bool bye_received_ = false;
    bool idling_ = false;

    std::deque<queued_part> outbox_; // parts to send, in order, across commands
    std::deque<pending_command> in_flight_;

    sasl_mechanism* mechanism_ = nullptr;
    std::error_code sasl_error_;
    std::string authentication_method_;
    std::string attempted_method_;
    std::string sasl_diagnostics_;
};

} // namespace postfach::imap
