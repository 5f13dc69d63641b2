#include "pop3/session_fsm.hpp"

#include "net/sasl_errc.hpp"
#include "pop3/pop3_errc.hpp"
#include "util/ascii.hpp"
#include "util/server_text.hpp" // shared quoting of untrusted server text

#include <algorithm>
#include <cctype>
#include <charconv>

namespace postfach::pop3 {

namespace {

using util::quote_server_text;

// "-ERR [CODE] "text"" of a response, the server's words quoted.
std::string describe(const response& r) {
    std::string out = r.ok() ? "+OK" : "-ERR";
    if (!r.code.empty())
        out += " [" + util::quote_server_text(r.code, 40) + "]";
    return out + " " + util::quote_server_text(r.text);
}

// RFC 2449 §8.1 and RFC 3206: what a -ERR to a login means. Without a code it cannot be told
// apart from bad credentials, so it counts as such.
std::error_code login_error(const response& r, pop3_errc otherwise) {
    if (util::ascii_iequals(r.code, "IN-USE"))
        return pop3_errc::in_use;
    if (util::ascii_iequals(r.code, "LOGIN-DELAY"))
        return pop3_errc::login_delay;
    if (util::ascii_iequals(r.code, "SYS/TEMP"))
        return pop3_errc::server_busy;
    if (util::ascii_iequals(r.code, "SYS/PERM"))
        return pop3_errc::server_failure;
    return otherwise;
}

// The APOP timestamp (RFC 1939 §7): "<...>" in the greeting, without spaces or controls.
std::string find_timestamp(std::string_view text) {
    const auto open = text.find('<');
    if (open == std::string_view::npos)
        return {};
    const auto close = text.find('>', open);
    if (close == std::string_view::npos || close == open + 1)
        return {};
    const auto inner = text.substr(open + 1, close - open - 1);
    if (!std::all_of(inner.begin(), inner.end(),
                     [](char c) { return c > 0x20 && c < 0x7f && c != '<'; }))
        return {};
    return std::string(text.substr(open, close - open + 1));
}

} // namespace

session_fsm::session_fsm(session_options options)
    : options_(std::move(options))
    , parser_(options_.limits) {}

bool session_fsm::has_capability(std::string_view name) const {
    return std::any_of(capabilities_.begin(), capabilities_.end(),
                       [&](const capability& c) { return util::ascii_iequals(c.name, name); });
}

std::string session_fsm::sasl_server_error() const {
    return exchange_ ? exchange_->server_error() : std::string();
}

std::optional<std::uint32_t> session_fsm::login_delay() const {
    for (const auto& c : capabilities_)
        if (c.name == "LOGIN-DELAY" && !c.args.empty()) {
            std::uint32_t seconds = 0;
            const auto& arg = c.args.front();
            const auto [end, err] = std::from_chars(arg.data(), arg.data() + arg.size(), seconds);
            if (err == std::errc{} && end == arg.data() + arg.size())
                return seconds;
        }
    return std::nullopt;
}

void session_fsm::on_connected() {
    if (phase_ != phase::connecting)
        return fail(pop3_errc::wrong_state, "on_connected called twice");
    tls_active_ = options_.security == transport_security::implicit_tls;
    phase_ = phase::greeting;
    parser_.expect(response_kind::status, "greeting");
}

next_action session_fsm::next() const {
    next_action a;
    if (phase_ == phase::done) {
        a.type = next_action::kind::done;
        a.error = error_;
    } else if (phase_ == phase::tls_handshake) {
        a.type = next_action::kind::start_tls;
    } else if (!outbox_.empty()) {
        a.type = next_action::kind::write;
        a.bytes = outbox_.front().bytes;
        front_handed_out_ = true;
        a.sensitive = outbox_.front().sensitive;
    } else if (phase_ == phase::connecting || phase_ == phase::greeting || !in_flight_.empty()) {
        a.type = next_action::kind::read;
    } else {
        a.type = next_action::kind::idle;
    }
    return a;
}

void session_fsm::on_written() {
    if (outbox_.empty())
        return fail(pop3_errc::wrong_state, "on_written without a write");
    outbox_.pop_front();
    front_handed_out_ = false;
}

void session_fsm::on_bytes(std::string_view data) {
    while (!data.empty() && phase_ != phase::done) {
        if (phase_ == phase::tls_handshake)
            return fail(pop3_errc::stls_injection, "server sent " + std::to_string(data.size()) +
                                                       " bytes after the STLS +OK, before TLS: " +
                                                       util::quote_server_text(data));
        if (phase_ != phase::greeting && in_flight_.empty())
            return fail(pop3_errc::unexpected_response,
                        "server sent data while no command was in flight: " +
                            util::quote_server_text(data));
        std::error_code ec;
        auto r = parser_.consume(data, ec);
        if (ec)
            return fail(ec, parser_.diagnostics());
        if (r)
            handle(std::move(*r));
    }
}

void session_fsm::on_tls_established() {
    if (phase_ != phase::tls_handshake)
        return fail(pop3_errc::wrong_state, "TLS established outside STLS");
    tls_active_ = true;
    // RFC 2595 §4: forget what the server said in plaintext and ask again.
    capabilities_.clear();
    capa_known_ = false;
    phase_ = phase::capa;
    send(commands::capa());
}

void session_fsm::on_transport_error(std::error_code ec) {
    if (phase_ == phase::done)
        return; // the server closes after QUIT's +OK
    fail(ec, "connection failed" +
                 (in_flight_.empty()
                      ? std::string(" while idle")
                      : " while waiting for the response to " + in_flight_.front().cmd.name) +
                 ": " + ec.message());
}

std::error_code session_fsm::submit(command cmd, completion done, message_sink* sink) {
    if (phase_ != phase::ready)
        return pop3_errc::wrong_state;
    send(std::move(cmd), std::move(done), sink);
    return {};
}

std::error_code session_fsm::quit() {
    if (phase_ != phase::ready)
        return pop3_errc::wrong_state;
    phase_ = phase::quitting;
    send(commands::quit());
    return {};
}

void session_fsm::send(command cmd, completion done, message_sink* sink) {
    queue_.push_back({std::move(cmd), std::move(done), sink});
    pump();
}

void session_fsm::write_line(const command& cmd) {
    outbox_.push_back({cmd.bytes, cmd.sensitive});
}

// Moves queued commands to the wire: with PIPELINING (after login) all of them, joining the last
// write not yet handed out, otherwise one at a time once the previous response is in.
void session_fsm::pump() {
    const bool pipelining =
        (phase_ == phase::ready || phase_ == phase::quitting) && has_capability("PIPELINING");
    if (queue_.empty() || (!pipelining && !in_flight_.empty()))
        return;
    const bool was_idle = in_flight_.empty();
    const bool join = pipelining && !outbox_.empty() &&
                      (outbox_.size() > 1 || !front_handed_out_) && !outbox_.back().sensitive;
    if (!join)
        outbox_.emplace_back();
    auto& out = outbox_.back();
    do {
        out.bytes += queue_.front().cmd.bytes;
        out.sensitive = out.sensitive || queue_.front().cmd.sensitive;
        in_flight_.push_back(std::move(queue_.front()));
        queue_.pop_front();
    } while (pipelining && !queue_.empty());
    if (was_idle)
        expect_front();
}

void session_fsm::expect_front() {
    const auto& front = in_flight_.front();
    parser_.expect(front.cmd.expects, front.cmd.name, front.sink);
}

void session_fsm::handle(response r) {
    if (phase_ == phase::greeting)
        return on_greeting(r);
    if (r.type == response::kind::continuation)
        return on_sasl_challenge(r); // the parser allows them only for AUTH
    pending p = std::move(in_flight_.front());
    in_flight_.pop_front();
    if (!in_flight_.empty())
        expect_front();

    switch (phase_) {
    case phase::capa:
        on_capa(r);
        break;
    case phase::stls:
        if (!r.ok())
            return fail(pop3_errc::stls_refused, "STLS: " + describe(r));
        phase_ = phase::tls_handshake; // on_bytes rejects anything still buffered
        break;
    case phase::authenticating:
        on_authentication(p, r);
        break;
    case phase::ready:
        if (p.done)
            p.done(r);
        break;
    case phase::quitting:
        if (p.cmd.bytes == "QUIT\r\n") {
            if (!r.ok())
                return fail(pop3_errc::command_failed,
                            "QUIT (deletions not committed): " + describe(r));
            phase_ = phase::done;
            return;
        }
        if (p.done)
            p.done(r);
        break;
    default:
        return fail(pop3_errc::unexpected_response, "response in an unexpected state");
    }
    pump();
}

void session_fsm::on_greeting(const response& r) {
    if (!r.ok())
        return fail(login_error(r, pop3_errc::greeting_rejected), "greeting: " + describe(r));
    timestamp_ = find_timestamp(r.text);
    phase_ = phase::capa;
    send(commands::capa());
}

void session_fsm::on_capa(const response& r) {
    // A server without CAPA (RFC 1939 only) answers -ERR: nothing is known then.
    capa_known_ = r.ok();
    capabilities_ = r.ok() ? r.capabilities : std::vector<capability>{};
    after_capa();
}

void session_fsm::after_capa() {
    if (authenticated_) {
        phase_ = phase::ready;
        return;
    }
    if (options_.security == transport_security::starttls && !tls_active_) {
        if (capa_known_ && !has_capability("STLS"))
            return fail(pop3_errc::stls_not_offered, "CAPA lists no STLS; refusing plaintext");
        phase_ = phase::stls;
        return send(commands::stls());
    }
    start_authentication();
}

void session_fsm::start_authentication() {
    phase_ = phase::authenticating;
    std::error_code ec;
    for (const auto& cap : capabilities_) {
        if (cap.name != "SASL" || cap.args.empty() || !options_.choose_mechanism)
            continue;
        auto mechanism = options_.choose_mechanism(cap.args);
        if (!mechanism)
            break;
        const std::string name(mechanism->name());
        exchange_ = std::make_unique<net::sasl_exchange>(std::move(mechanism));
        auto initial = exchange_->initial_argument();
        auto c = commands::auth(name, initial, ec);
        if (ec == pop3_errc::command_too_long) {
            // RFC 5034 §4: too long for the AUTH line; send it after an empty challenge.
            withheld_initial_response_ = std::move(initial);
            c = commands::auth(name, std::nullopt, ec);
        }
        if (!c)
            return fail(ec, "AUTH " + name + ": " + ec.message());
        authentication_method_ = c->name;
        return send(std::move(*c));
    }
    if (options_.login) {
        const auto& login = *options_.login;
        if (options_.use_apop && !timestamp_.empty()) {
            auto c = commands::apop(login.user, timestamp_, login.password, ec);
            if (!c)
                return fail(ec, "APOP: " + ec.message());
            authentication_method_ = "APOP";
            return send(std::move(*c));
        }
        if (!capa_known_ || has_capability("USER")) {
            auto c = commands::user(login.user, ec);
            if (!c)
                return fail(ec, "USER: " + ec.message());
            authentication_method_ = "USER/PASS";
            return send(std::move(*c));
        }
    }
    fail(pop3_errc::no_auth_method, "the server offers none of the allowed authentication methods");
}

void session_fsm::on_sasl_challenge(const response& r) {
    if (!exchange_ || sasl_error_)
        return fail(pop3_errc::unexpected_response, "AUTH: continuation after cancel");
    if (withheld_initial_response_) {
        auto line = std::move(*withheld_initial_response_);
        withheld_initial_response_.reset();
        if (r.text.find_first_not_of(' ') != std::string::npos) {
            sasl_error_ = net::sasl_errc::unexpected_challenge;
            line = secret_string("*");
        }
        return write_line(commands::sasl_line(line));
    }
    std::error_code ec;
    auto line = exchange_->answer(r.text, ec);
    if (ec)
        sasl_error_ = ec; // the line is "*": the server ends the exchange with -ERR
    write_line(commands::sasl_line(line));
}

void session_fsm::on_authentication(const pending& p, const response& r) {
    const std::string name = p.cmd.name;
    if (!r.ok()) {
        if (sasl_error_)
            return fail(sasl_error_, name + " cancelled by the client (" + sasl_error_.message() +
                                         "); server: " + describe(r));
        auto diagnostics = name + ": " + describe(r);
        if (const auto detail = sasl_server_error(); !detail.empty())
            diagnostics += "; error challenge " + util::quote_server_text(detail);
        return fail(login_error(r, pop3_errc::auth_failed), diagnostics);
    }
    if (name.rfind("USER ", 0) == 0) {
        std::error_code ec;
        auto c = commands::pass(options_.login->password, ec);
        if (!c)
            return fail(ec, "PASS: " + ec.message());
        return send(std::move(*c));
    }
    authenticated_ = true;
    // RFC 2449 §5: capabilities may change after login (LOGIN-DELAY, EXPIRE, PIPELINING).
    capabilities_.clear();
    capa_known_ = false;
    phase_ = phase::capa;
    send(commands::capa());
}

void session_fsm::fail(std::error_code ec, std::string diagnostics) {
    if (phase_ == phase::done)
        return;
    error_ = ec;
    diagnostics_ = std::move(diagnostics);
    phase_ = phase::done;
    outbox_.clear();
    front_handed_out_ = false;
    queue_.clear();
    in_flight_.clear();
}

} // namespace postfach::pop3
