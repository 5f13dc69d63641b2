#include "imap/session_fsm.hpp"

#include "imap/imap_errc.hpp"
#include "util/ascii.hpp"
#include "util/base64.hpp"
#include "util/server_text.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace postfach::imap {

namespace {

std::string_view status_name(status_word w) {
    switch (w) {
    case status_word::ok:
        return "OK";
    case status_word::no:
        return "NO";
    case status_word::bad:
        return "BAD";
    case status_word::preauth:
        return "PREAUTH";
    case status_word::bye:
        return "BYE";
    }
    return "?";
}

// "NO [CODE] text" of a status response, the server's words quoted.
std::string describe(const status_response& r) {
    std::string out(status_name(r.status));
    if (r.code)
        out += " [" + r.code->name + "]";
    return out + " " + util::quote_server_text(r.text);
}

} // namespace

session_fsm::session_fsm(session_options options, untagged_handler* handler)
    : options_(std::move(options))
    , handler_(handler)
    , parser_(options_.limits) {}

bool session_fsm::has_capability(std::string_view name) const {
    return capabilities_.find(util::ascii_upper(name)) != capabilities_.end();
}

void session_fsm::on_connected() {
    if (phase_ != phase::connecting)
        return fail(imap_errc::wrong_state, "on_connected called twice");
    tls_active_ = options_.security == transport_security::implicit_tls;
    phase_ = phase::greeting;
}

next_action session_fsm::next() const {
    next_action a;
    if (phase_ == phase::done) {
        a.type = next_action::kind::done;
        a.error = error_;
        return a;
    }
    if (phase_ == phase::tls_handshake) {
        a.type = next_action::kind::start_tls;
        return a;
    }
    if (!outbox_.empty()) {
        const auto& front = outbox_.front();
        switch (front.part.type) {
        case command_part::kind::bytes:
            a.type = next_action::kind::write;
            a.bytes = front.part.bytes;
            a.sensitive = front.part.sensitive;
            return a;
        case command_part::kind::body:
            a.type = next_action::kind::write_body;
            a.tag = front.tag;
            a.body_size = front.part.body_size;
            return a;
        case command_part::kind::wait_for_continuation:
            a.type = next_action::kind::read;
            return a;
        }
    }
    const bool awaiting =
        phase_ == phase::connecting || phase_ == phase::greeting || !in_flight_.empty();
    a.type = awaiting ? next_action::kind::read : next_action::kind::idle;
    return a;
}

void session_fsm::on_written() {
    if (outbox_.empty() || outbox_.front().part.type == command_part::kind::wait_for_continuation)
        return fail(imap_errc::wrong_state, "on_written without a write");
    outbox_.pop_front();
}

void session_fsm::on_bytes(std::string_view data) {
    while (!data.empty() && phase_ != phase::done) {
        if (phase_ == phase::tls_handshake)
            return fail(
                imap_errc::starttls_injection,
                "server sent " + std::to_string(data.size()) +
                    " bytes after the STARTTLS OK, before TLS: " + util::quote_server_text(data));
        std::error_code ec;
        auto r = parser_.consume(data, ec);
        if (ec)
            return fail(ec, (in_flight_.empty() ? std::string("while idle")
                                                : "while waiting for " + in_flight_names()) +
                                ": " + parser_.diagnostics());
        if (r)
            handle(std::move(*r));
    }
}

void session_fsm::on_tls_established() {
    if (phase_ != phase::tls_handshake)
        return fail(imap_errc::wrong_state, "TLS established outside STARTTLS");
    tls_active_ = true;
    // RFC 3501 §6.2.1: forget what the server said in plaintext.
    capabilities_.clear();
    capabilities_known_ = false;
    advance();
}

void session_fsm::on_transport_error(std::error_code ec) {
    if (phase_ == phase::logging_out && bye_received_) {
        phase_ = phase::done; // the server may close right after BYE
        return;
    }
    fail(ec, "connection failed " +
                 (in_flight_.empty() ? std::string("while idle")
                                     : "while waiting for " + in_flight_names()) +
                 ": " + ec.message());
}

std::error_code session_fsm::submit(command cmd, completion done) {
    // Nothing may follow IDLE until it ends.
    const bool idle_in_flight =
        std::any_of(in_flight_.begin(), in_flight_.end(),
                    [](const pending_command& c) { return c.name == "IDLE"; });
    if (phase_ != phase::ready || idle_in_flight)
        return imap_errc::wrong_state;
    if (in_flight_.size() >= options_.pipeline_depth)
        return imap_errc::pipeline_full;
    send(std::move(cmd), std::move(done));
    return {};
}

std::error_code session_fsm::logout() {
    if (phase_ != phase::ready || idling_)
        return imap_errc::wrong_state;
    phase_ = phase::logging_out;
    send(writer_.logout(), {});
    return {};
}

std::error_code session_fsm::stop_idle() {
    if (!idling_)
        return imap_errc::wrong_state;
    idling_ = false;
    send(command_writer::done(), {});
    return {};
}

void session_fsm::send(command cmd, completion done) {
    for (auto& part : cmd.parts)
        outbox_.push_back({cmd.tag, std::move(part)});
    if (!cmd.tag.empty())
        in_flight_.push_back({std::move(cmd.tag), std::move(cmd.name), std::move(done)});
}

void session_fsm::handle(response&& r) {
    if (const auto* status = std::get_if<status_response>(&r)) {
        if (status->tagged())
            return handle_tagged(*status);
        handle_status_untagged(*status);
    } else if (const auto* continuation = std::get_if<continuation_response>(&r)) {
        return handle_continuation(*continuation);
    } else if (const auto* caps = std::get_if<capability_data>(&r)) {
        set_capabilities(caps->capabilities);
    }
    // Before authentication only CAPABILITY and status responses matter, and those the session
    // consumes itself (protocol-notes §3); a plaintext server must not inject mailbox state.
    if (phase_ != phase::done && authenticated_ && handler_ != nullptr)
        handler_->on_untagged(std::move(r));
}

void session_fsm::handle_status_untagged(const status_response& r) {
    if (r.status == status_word::bye) {
        bye_received_ = true;
        if (phase_ != phase::logging_out)
            fail(imap_errc::server_bye, "server closed the session: " + describe(r));
        return;
    }
    if (r.code && r.code->kind == response_code_kind::capability && phase_ != phase::ready)
        set_capabilities(r.code->atoms);
    if (phase_ != phase::greeting)
        return;
    if (r.status == status_word::preauth) {
        if (!tls_active_ && options_.security == transport_security::starttls)
            return fail(imap_errc::cleartext_preauth,
                        "server sent PREAUTH before STARTTLS: " + describe(r));
        authenticated_ = true;
        authentication_method_ = "PREAUTH";
    } else if (r.status != status_word::ok) {
        return fail(imap_errc::unexpected_response, "greeting: " + describe(r));
    }
    advance();
}

void session_fsm::handle_continuation(const continuation_response& r) {
    if (!outbox_.empty() &&
        outbox_.front().part.type == command_part::kind::wait_for_continuation) {
        outbox_.pop_front(); // the server accepts the literal
        return;
    }
    if (phase_ == phase::authenticating && mechanism_ != nullptr) {
        const auto challenge = util::base64_decode(r.text);
        secret_string answer;
        if (!challenge) {
            sasl_error_ = imap_errc::syntax_error;
            sasl_diagnostics_ = "SASL challenge is not base64: " + util::quote_server_text(r.text);
        } else if (const auto ec = mechanism_->step(*challenge, answer)) {
            sasl_error_ = ec;
            sasl_diagnostics_ = "SASL " + std::string(mechanism_->name()) +
                                " rejected the server challenge: " + ec.message();
        }
        // Cancel with "*"; the server's tagged BAD then ends the exchange.
        send(sasl_error_ ? command_writer::sasl_cancel() : command_writer::sasl_response(answer),
             {});
        return;
    }
    if (!in_flight_.empty() && in_flight_.back().name == "IDLE" && !idling_) {
        idling_ = true;
        return;
    }
    fail(imap_errc::unexpected_response,
         "unexpected continuation request: " + util::quote_server_text(r.text));
}

void session_fsm::handle_tagged(const status_response& r) {
    const auto it = std::find_if(in_flight_.begin(), in_flight_.end(),
                                 [&](const pending_command& c) { return c.tag == r.tag; });
    if (it == in_flight_.end())
        return fail(imap_errc::unexpected_response,
                    "tagged response for no command in flight: " + util::quote_server_text(r.tag) +
                        " " + describe(r));
    // A command refused before its literal was sent: drop what remains of it.
    const auto wait = std::find_if(outbox_.begin(), outbox_.end(), [&](const queued_part& p) {
        return p.tag == r.tag && p.part.type == command_part::kind::wait_for_continuation;
    });
    outbox_.erase(
        std::remove_if(wait, outbox_.end(), [&](const queued_part& p) { return p.tag == r.tag; }),
        outbox_.end());
    auto finished = std::move(*it);
    in_flight_.erase(it);
    if (finished.name == "IDLE")
        idling_ = false;
    if (finished.done)
        finished.done(r);
    if (phase_ == phase::done)
        return;

    const bool ok = r.status == status_word::ok;
    const auto failed = [&](imap_errc code) {
        fail(code, finished.name + " (" + finished.tag + ") failed: " + describe(r));
    };
    switch (phase_) {
    case phase::capability:
        if (!ok)
            return failed(imap_errc::command_failed);
        capabilities_known_ = true;
        return advance();
    case phase::starttls:
        if (!ok)
            return failed(imap_errc::starttls_refused);
        // on_bytes() rejects anything that follows in the same or a later read before TLS.
        phase_ = phase::tls_handshake;
        return;
    case phase::authenticating:
        return authentication_done(r);
    case phase::logging_out:
        if (finished.name == "LOGOUT")
            phase_ = phase::done;
        return;
    default:
        return;
    }
}

void session_fsm::advance() {
    if (!capabilities_known_) {
        phase_ = phase::capability;
        return send(writer_.capability(), {});
    }
    if (options_.security == transport_security::starttls && !tls_active_) {
        if (!has_capability("STARTTLS"))
            return fail(imap_errc::starttls_not_offered,
                        "tls: starttls, but the server does not offer STARTTLS");
        phase_ = phase::starttls;
        return send(writer_.starttls(), {});
    }
    if (!authenticated_)
        return start_authentication();
    phase_ = phase::ready;
}

void session_fsm::start_authentication() {
    phase_ = phase::authenticating;
    if (options_.choose_mechanism) {
        std::string diagnostics;
        if (const auto ec = options_.choose_mechanism(capabilities_, mechanism_, diagnostics))
            return fail(ec, std::move(diagnostics));
    }
    for (auto* mechanism : options_.mechanisms) {
        if (mechanism_ != nullptr)
            break;
        if (mechanism != nullptr &&
            has_capability("AUTH=" + util::ascii_upper(mechanism->name()))) {
            mechanism_ = mechanism;
            break;
        }
    }
    if (mechanism_ != nullptr) {
        attempted_method_ = "AUTHENTICATE " + util::ascii_upper(mechanism_->name());
        // Without SASL-IR the mechanism gets an empty first challenge instead (RFC 4422 §5).
        if (has_capability("SASL-IR"))
            return send(writer_.authenticate(mechanism_->name(), mechanism_->initial_response()),
                        {});
        return send(writer_.authenticate(mechanism_->name()), {});
    }
    if (has_capability("LOGINDISABLED"))
        return fail(imap_errc::login_disabled,
                    "server disabled LOGIN and offers none of the allowed mechanisms");
    if (!options_.login)
        return fail(imap_errc::no_auth_mechanism,
                    "server offers none of the allowed authentication mechanisms");
    attempted_method_ = "LOGIN";
    send(writer_.login(options_.login->user, options_.login->password), {});
}

void session_fsm::authentication_done(const status_response& r) {
    // A bearer token mechanism's error challenge says why the token was refused.
    const std::string server_error = mechanism_ != nullptr ? mechanism_->server_error() : "";
    mechanism_ = nullptr;
    if (sasl_error_)
        return fail(sasl_error_, sasl_diagnostics_);
    if (r.status == status_word::no)
        return fail(
            imap_errc::auth_failed,
            "authentication failed: " + describe(r) +
                (server_error.empty() ? "" : " (" + util::quote_server_text(server_error) + ")"));
    if (r.status != status_word::ok)
        return fail(imap_errc::command_failed, "authentication refused: " + describe(r));
    authenticated_ = true;
    authentication_method_ = attempted_method_;
    // RFC 3501 §6.2.2/§6.2.3: capabilities may change at login.
    capabilities_known_ = r.code && r.code->kind == response_code_kind::capability;
    if (capabilities_known_)
        set_capabilities(r.code->atoms);
    advance();
}

void session_fsm::set_capabilities(const std::vector<std::string>& caps) {
    capabilities_.clear();
    for (const auto& c : caps)
        capabilities_.insert(util::ascii_upper(c));
    capabilities_known_ = true;
    if (has_capability("LITERAL+"))
        writer_.set_literal_mode(literal_mode::literal_plus);
    else if (has_capability("LITERAL-") || has_capability("IMAP4REV2"))
        writer_.set_literal_mode(literal_mode::literal_minus);
    else
        writer_.set_literal_mode(literal_mode::synchronizing);
}

void session_fsm::fail(std::error_code ec, std::string diagnostics) {
    if (phase_ == phase::done)
        return;
    error_ = ec;
    diagnostics_ = std::move(diagnostics);
    phase_ = phase::done;
    outbox_.clear();
    idling_ = false;
}

std::string session_fsm::in_flight_names() const {
    std::string out;
    for (const auto& c : in_flight_)
        out += (out.empty() ? "" : ", ") + c.name + " (" + c.tag + ")";
    return out;
}

} // namespace postfach::imap
