#pragma once
// Runs the sans-IO session_fsm over a net::byte_stream: the Asio side of the IMAP client. It
// performs the fsm's actions one at a time (write, read, start TLS), traces the protocol
// (credentials redacted), and collects the untagged responses of each command.
//
// Contract: the stream is connected (and already in TLS for implicit TLS) and outlives this.
// One coroutine at a time. Commands run one after another (run), or pipelined: submit() several,
// then wait() for each in turn; the fsm sends the queued ones before it reads. After an error
// the session is done: close the stream.

#include "imap/session_fsm.hpp"
#include "net/byte_stream.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace postfach::imap {

// Optional parts of one run(): how FETCH bodies and an APPEND body travel.
struct run_options {
    // Called after the bytes of each read were parsed (FETCH bodies in them went to the
    // parser's body_sink), so a sink that only buffers can pass its chunks on asynchronously
    // (sync::message_sink) and memory stays bounded by one read. An error ends the session.
    std::function<boost::asio::awaitable<std::error_code>()> after_read;
    // The bytes of the APPEND literal, sent at the fsm's write_body action; exactly the size
    // given to command_writer::append. Must outlive the run.
    std::string_view append_body;
};

// What ended an idle() and what the server said meanwhile.
struct idle_result {
    bool server_woke = false;       // untagged data arrived (new mail, expunges, flag changes)
    std::vector<response> untagged; // that data, in wire order
};

// How client_session::logout ends.
enum class logout_wait { for_answer, until_sent };

struct command_result {
    status_response status;         // the tagged OK, NO or BAD
    std::vector<response> untagged; // untagged data received while the command ran
};

class client_session final : private untagged_handler {
public:
    // trace_name prefixes the protocol trace lines (the account name).
    client_session(net::byte_stream& stream, session_options options, std::string trace_name);
    client_session(const client_session&) = delete;
    client_session& operator=(const client_session&) = delete;

    // Greeting, CAPABILITY, STARTTLS, authentication, capabilities after login: until ready.
    boost::asio::awaitable<std::error_code> open();
    // One command to its tagged response. NO and BAD are not errors here: see result.status.
    boost::asio::awaitable<std::error_code> run(command cmd, command_result& result,
                                                const run_options& options = {});
    // IDLE (RFC 2177) on the selected mailbox until the server sends untagged data or `wake`
    // completes, whichever comes first; then DONE, and returns at IDLE's tagged OK. `wake` is
    // cancelled when the server woke first, so it must be a cancellable wait (a timer, a
    // trigger). While idling one coroutine reads and another writes DONE: the stream must allow
    // one read and one write at a time (net::transport does). A server that refuses IDLE (NO,
    // BAD) gives imap_errc::command_failed. The caller sets a read timeout longer than its
    // wake-up period (RFC 2177: re-issue IDLE at least every 29 minutes).
    boost::asio::awaitable<std::error_code> idle(std::function<boost::asio::awaitable<void>()> wake,
                                                 idle_result& result);
    // Pipelining: queues a command, to be sent by the next wait() (or run()), and gives its tag.
    // Fails like session_fsm::submit (pipeline_full, wrong_state).
    std::error_code submit(command cmd, std::string& tag);
    // Drives the session until the tagged response of a submitted command is in. result gets
    // it and the untagged responses received after the previous command's tagged response and
    // before its own (with several commands in flight, untagged data belongs to the command
    // whose answer it precedes: a pipelined SELECT gets its EXISTS and UIDVALIDITY).
    boost::asio::awaitable<std::error_code> wait(std::string tag, command_result& result,
                                                 const run_options& options = {});
    // Streaming an APPEND body (submit() the APPEND built with a body part, then): open_body()
    // drives the session until the body is due (after the server's "+" for a synchronizing
    // literal) and sets `due`; when the server answered the command first (NO), due stays false
    // and wait() gives the answer. Then write_body() exactly the announced bytes, in pieces,
    // end_body(), and wait().
    boost::asio::awaitable<std::error_code> open_body(std::string tag, bool& due);
    boost::asio::awaitable<std::error_code> write_body(std::string_view bytes);
    void end_body();
    // Gives up the session (a body that cannot be completed): the fsm fails with ec, the
    // stream is closed.
    void abandon(std::error_code ec);
    // LOGOUT, then the stream is closed: after the server's answer, or (until_sent) as soon as
    // the command is written, which spares a pass's end a round trip. until_sent applies only
    // when every command before it was answered; otherwise their answers and LOGOUT's are read.
    boost::asio::awaitable<std::error_code> logout(logout_wait wait = logout_wait::for_answer);

    session_fsm& fsm() noexcept { return fsm_; }
    [[nodiscard]] const session_fsm& fsm() const noexcept { return fsm_; }
    // The phase the session was in when it failed (greeting, starttls, authenticating, ...).
    [[nodiscard]] session_fsm::phase failed_phase() const noexcept { return failed_phase_; }
    // What went wrong: the stream's explanation for a transport error, else the session's.
    [[nodiscard]] const std::string& diagnostics() const noexcept;

private:
    // Performs actions until `until` holds or the session is done.
    boost::asio::awaitable<std::error_code> drive(const std::function<bool()>& until,
                                                  const run_options* options = nullptr);
    std::error_code transport_failed(std::error_code ec);
    boost::asio::awaitable<std::error_code> read_while_idling(const bool& completed,
                                                              idle_result& result);
    boost::asio::awaitable<std::error_code>
    end_idle_when_woken(std::function<boost::asio::awaitable<void>()> wake);
    boost::asio::awaitable<std::error_code> write_pending();
    void on_untagged(response&& r) override;
    void trace_sent(std::string_view bytes, bool sensitive);
    void trace_received(std::string_view bytes);

    net::byte_stream& stream_;
    session_fsm fsm_;
    std::string trace_name_;
    std::vector<response> untagged_;
    std::map<std::string, command_result> tagged_; // of submitted commands, until wait()
    std::string trace_pending_; // received bytes of an incomplete line, for the trace
    std::string transport_diagnostics_;
    // While idling: set (and idle_wake_ cancelled) when the reader saw data or the end.
    bool idle_woken_ = false;
    std::optional<boost::asio::steady_timer> idle_wake_;
    session_fsm::phase failed_phase_ = session_fsm::phase::connecting;
};

} // namespace postfach::imap
