#include "pop3/pop3_fetcher.hpp"

#include "maildir/delivery.hpp"
#include "net/credential_source.hpp"
#include "net/transport.hpp"
#include "pop3/pop3_errc.hpp"
#include "sync/message_identity.hpp"
#include "util/ascii.hpp"
#include "util/server_text.hpp"

#include <algorithm>
#include <boost/asio/this_coro.hpp>
#include <cctype>
#include <fmt/format.h>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>

namespace postfach::pop3 {

namespace {

constexpr std::int64_t seconds_per_day = 24 * 60 * 60;

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// The Message-ID header's value (unfolded, trimmed) from a CRLF header block; empty if none.
std::string message_id_of(std::string_view headers) {
    std::string value;
    bool in_field = false;
    while (!headers.empty()) {
        const auto end = headers.find("\r\n");
        const auto line = headers.substr(0, end);
        headers.remove_prefix(end == std::string_view::npos ? headers.size() : end + 2);
        if (line.empty())
            break;
        const bool continuation = line.front() == ' ' || line.front() == '\t';
        if (in_field && continuation) {
            value += line;
            continue;
        }
        if (in_field)
            break;
        const auto colon = line.find(':');
        if (colon != std::string_view::npos &&
            util::ascii_iequals(line.substr(0, colon), "Message-ID")) {
            in_field = true;
            value = line.substr(colon + 1);
        }
    }
    const auto first = value.find_first_not_of(" \t");
    if (first == std::string::npos)
        return {};
    return value.substr(first, value.find_last_not_of(" \t") - first + 1);
}

// Whether <inbox>/new/<base> or <inbox>/cur/<base>:2,... exists (a MUA may have moved it).
bool delivered_file_exists(const std::filesystem::path& inbox, const std::string& base) {
    std::error_code ec;
    if (std::filesystem::exists(inbox / "new" / base, ec))
        return true;
    for (const auto& e : std::filesystem::directory_iterator(inbox / "cur", ec)) {
        const auto name = e.path().filename().string();
        if (name == base || name.starts_with(base + ":"))
            return true;
    }
    return false;
}

} // namespace

fetch_options fetch_options_for(const config::server_config& server) {
    fetch_options o;
    o.leave_on_server = server.leave_on_server;
    o.delete_after_days = server.delete_after_days;
    return o;
}

struct pop3_fetcher::server_message {
    std::uint32_t number = 0;
    std::uint64_t size = 0;
    std::string key;                              // UIDL, or the header key without UIDL
    std::optional<state::pop3_uidl_record> known; // the state's record of this key
    bool stored = false;                          // durable and recorded (now or before)
};

// Streams one RETR body into a Maildir delivery in tmp/. A write failure aborts the session
// (no QUIT: nothing is deleted); the message then never reaches the batch.
class pop3_fetcher::delivery_sink final : public message_sink {
public:
    delivery_sink(client& session, const std::filesystem::path& inbox_dir,
                  maildir::unique_name_generator& names, bool& local_failure)
        : client_(session)
        , inbox_dir_(inbox_dir)
        , names_(names)
        , local_failure_(local_failure) {}

    void begin() override {
        delivery_ = maildir::delivery{};
        check(maildir::delivery::open(inbox_dir_, {}, names_, delivery_), "create");
    }
    void data(std::string_view chunk) override {
        if (!failed_)
            check(delivery_.append(chunk), "write");
    }
    void end() override {
        if (!failed_)
            complete_ = !check(delivery_.finish(), "finish");
    }
    // The finished delivery, once the RETR answered +OK and everything was written.
    [[nodiscard]] bool complete() const noexcept { return complete_ && !failed_; }
    maildir::delivery take() { return std::move(delivery_); }

private:
    bool check(std::error_code ec, std::string_view what) {
        if (ec && !failed_) {
            failed_ = true;
            local_failure_ = true; // the Maildir's fault, not the server's
            client_.abort(ec, fmt::format("cannot {} the message in {}: {}", what,
                                          (inbox_dir_ / "tmp").string(), ec.message()));
        }
        return static_cast<bool>(ec);
    }

    client& client_;
    const std::filesystem::path& inbox_dir_;
    maildir::unique_name_generator& names_;
    bool& local_failure_;
    maildir::delivery delivery_;
    bool failed_ = false;
    bool complete_ = false;
};

pop3_fetcher::pop3_fetcher(client& session, state::state_store& store,
                           std::filesystem::path inbox_dir, fetch_options options)
    : client_(session)
    , store_(store)
    , inbox_dir_(std::move(inbox_dir))
    , options_(options) {}

std::error_code pop3_fetcher::fail(std::error_code ec, std::string diagnostics) {
    // A failed pass ends the connection without QUIT, so no DELE of it is committed.
    client_.abort(ec, diagnostics);
    diagnostics_ = std::move(diagnostics);
    return ec;
}

std::error_code pop3_fetcher::state_error(std::error_code ec) {
    local_failure_ = true;
    return fail(ec, "state database: " + store_.diagnostics());
}

std::error_code pop3_fetcher::recover_intents() {
    std::vector<state::pop3_intent_record> intents;
    if (auto ec = store_.list_pop3_intents(intents))
        return state_error(ec);
    if (intents.empty())
        return {};
    state::transaction tx;
    if (auto ec = store_.begin(tx))
        return state_error(ec);
    for (const auto& intent : intents) {
        if (delivered_file_exists(inbox_dir_, intent.base_name)) {
            // Durable before the crash: record it now, replacing a recycled UIDL's old row.
            std::optional<state::pop3_uidl_record> old;
            if (auto ec = store_.find_pop3_uidl(intent.uidl, old))
                return state_error(ec);
            if (old)
                if (auto ec = store_.delete_pop3_uidl(intent.uidl))
                    return state_error(ec);
            if (auto ec = store_.add_pop3_uidl({intent.uidl, intent.size, intent.first_fetched}))
                return state_error(ec);
        }
        if (auto ec = store_.delete_pop3_intent(intent.base_name))
            return state_error(ec);
    }
    if (auto ec = tx.commit())
        return state_error(ec);
    return {};
}

boost::asio::awaitable<std::error_code> pop3_fetcher::run(fetch_result& result) {
    local_failure_ = false;
    const auto ec = co_await run_pass(result);
    // Local trouble (Maildir, state database) is the user's to fix, even when its error code
    // is a system error that would be transient on a socket.
    result.retry_later = ec && !local_failure_ && is_transient_failure(ec);
    co_return ec;
}

boost::asio::awaitable<std::error_code> pop3_fetcher::run_pass(fetch_result& result) {
    if (auto ec = recover_intents())
        co_return ec;
    std::vector<server_message> messages;
    if (auto ec = co_await list(messages))
        co_return ec;
    result.on_server = messages.size();

    std::vector<server_message*> wanted;
    std::set<std::string> seen; // one fetch per key, even if the server lists a key twice
    for (auto& m : messages) {
        std::optional<state::pop3_uidl_record> known;
        if (auto ec = store_.find_pop3_uidl(m.key, known))
            co_return state_error(ec);
        if (known && known->size == m.size) {
            m.known = known;
            m.stored = true;
        } else if (seen.insert(m.key).second) {
            m.known = known; // a recycled UIDL: replaced once the new message is stored
            wanted.push_back(&m);
        }
    }
    if (auto ec = co_await recognise_on_disk(wanted, result))
        co_return ec;
    if (options_.dry_run) {
        result.to_fetch = wanted.size();
        for (const auto* m : wanted)
            result.to_fetch_bytes += m->size;
    } else if (auto ec = co_await fetch(wanted, result)) {
        co_return ec;
    }
    co_return co_await remove(messages, result);
}

boost::asio::awaitable<std::error_code> pop3_fetcher::list(std::vector<server_message>& out) {
    std::error_code ec;
    response listing;
    if (auto e = co_await client_.call(*commands::list(std::nullopt, ec), listing))
        co_return fail(e, client_.diagnostics());
    if (!listing.ok())
        co_return fail(make_error_code(pop3_errc::command_failed),
                       fmt::format("LIST failed: {}", util::quote_server_text(listing.text)));
    for (const auto& l : listing.listings)
        out.push_back({l.number, l.size, {}, {}, false});

    const auto& fsm = client_.session();
    const bool no_uidl = !fsm.capabilities().empty() && !fsm.has_capability("UIDL");
    response uidls;
    if (!no_uidl) {
        if (auto e = co_await client_.call(*commands::uidl(std::nullopt, ec), uidls))
            co_return fail(e, client_.diagnostics());
    }
    if (no_uidl || !uidls.ok())
        co_return co_await identify_by_headers(out);

    std::map<std::uint32_t, std::string> by_number;
    for (auto& u : uidls.uidls)
        by_number[u.number] = std::move(u.uid);
    for (auto& m : out) {
        const auto it = by_number.find(m.number);
        if (it == by_number.end())
            co_return fail(make_error_code(pop3_errc::syntax_error),
                           fmt::format("UIDL lists no id for message {}", m.number));
        m.key = it->second;
    }
    co_return std::error_code{};
}

boost::asio::awaitable<std::error_code>
pop3_fetcher::read_headers(const std::vector<server_message*>& messages,
                           std::vector<std::string>& headers) {
    class header_sink final : public message_sink {
    public:
        void begin() override { text.clear(); }
        void data(std::string_view chunk) override { text += chunk; }
        void end() override {}
        std::string text;
    };
    std::vector<header_sink> sinks(messages.size());
    std::vector<response> answers(messages.size());
    for (std::size_t i = 0; i < messages.size(); ++i) {
        std::error_code ec;
        const auto top = commands::top(messages[i]->number, 0, ec);
        if (ec)
            co_return fail(ec, "TOP");
        if (auto e = client_.submit(
                *top, [&answers, i](const response& r) { answers[i] = r; }, &sinks[i]))
            co_return fail(e, client_.diagnostics());
    }
    if (auto e = co_await client_.run())
        co_return fail(e, client_.diagnostics());
    headers.clear();
    for (std::size_t i = 0; i < messages.size(); ++i) {
        if (!answers[i].ok())
            co_return fail(make_error_code(pop3_errc::command_failed),
                           fmt::format("TOP {} 0 failed: {}", messages[i]->number,
                                       util::quote_server_text(answers[i].text)));
        headers.push_back(std::move(sinks[i].text));
    }
    co_return std::error_code{};
}

boost::asio::awaitable<std::error_code>
pop3_fetcher::identify_by_headers(std::vector<server_message>& messages) {
    std::vector<server_message*> all;
    for (auto& m : messages)
        all.push_back(&m);
    std::vector<std::string> headers;
    if (auto ec = co_await read_headers(all, headers))
        co_return ec;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        const auto id = message_id_of(headers[i]);
        messages[i].key =
            id.empty() ? "hdr:" + sync::make_identity(messages[i].size, headers[i]) : "mid:" + id;
    }
    co_return std::error_code{};
}

boost::asio::awaitable<std::error_code>
pop3_fetcher::recognise_on_disk(std::vector<server_message*>& wanted, fetch_result& result) {
    if (options_.on_disk.empty() || wanted.empty())
        co_return std::error_code{};
    std::vector<std::string> headers;
    if (auto ec = co_await read_headers(wanted, headers))
        co_return ec;
    // The TOP header block and the LIST size (both CRLF) give the identity an IMAP pass or a
    // Maildir scan gives the same message (sync/message_identity.hpp).
    std::vector<server_message*> on_disk, still_wanted;
    for (std::size_t i = 0; i < wanted.size(); ++i)
        (options_.on_disk.contains(sync::make_identity(wanted[i]->size, headers[i])) ? on_disk
                                                                                     : still_wanted)
            .push_back(wanted[i]);
    wanted = std::move(still_wanted);
    result.recognised = on_disk.size();
    if (on_disk.empty() || options_.dry_run)
        co_return std::error_code{};
    const auto now = unix_seconds(options_.now);
    state::transaction tx;
    if (auto ec = store_.begin(tx))
        co_return state_error(ec);
    for (auto* m : on_disk) {
        if (m->known) // recycled UIDL
            if (auto ec = store_.delete_pop3_uidl(m->key))
                co_return state_error(ec);
        state::pop3_uidl_record record{m->key, m->size, now};
        if (auto ec = store_.add_pop3_uidl(record))
            co_return state_error(ec);
        m->known = record;
        m->stored = true;
    }
    if (auto ec = tx.commit())
        co_return state_error(ec);
    co_return std::error_code{};
}

std::error_code pop3_fetcher::record_intents(const std::map<std::string, server_message*>& batch,
                                             std::int64_t now, bool add) {
    // add: in a transaction of its own; remove: inside the caller's transaction.
    state::transaction tx;
    if (add)
        if (auto ec = store_.begin(tx))
            return state_error(ec);
    for (const auto& [base, m] : batch) {
        if (auto ec = add ? store_.add_pop3_intent({base, m->key, m->size, now})
                          : store_.delete_pop3_intent(base))
            return state_error(ec);
    }
    if (add)
        if (auto ec = tx.commit())
            return state_error(ec);
    return {};
}

boost::asio::awaitable<std::error_code>
pop3_fetcher::fetch(const std::vector<server_message*>& wanted, fetch_result& result) {
    maildir::unique_name_generator names;
    const auto batch_size = std::max<std::size_t>(options_.batch_size, 1);
    for (std::size_t first = 0; first < wanted.size(); first += batch_size) {
        const auto count = std::min(batch_size, wanted.size() - first);
        std::vector<std::unique_ptr<delivery_sink>> sinks;
        std::vector<std::optional<response>> answers(count);
        std::error_code session_error;
        for (std::size_t i = 0; i < count; ++i) {
            std::error_code ec;
            const auto retr = commands::retr(wanted[first + i]->number, ec);
            if (ec)
                co_return fail(ec, "RETR");
            sinks.push_back(
                std::make_unique<delivery_sink>(client_, inbox_dir_, names, local_failure_));
            session_error = client_.submit(
                *retr, [&answers, i](const response& r) { answers[i] = r; }, sinks.back().get());
            if (session_error)
                break;
        }
        if (!session_error)
            session_error = co_await client_.run();

        // Commit order, the guarantee against loss and duplicates (design.md §4.7):
        //  1. RETR bodies are streamed into tmp/ (above);
        //  2. an intent per message (its Maildir base name and key, table pop3_intents) is
        //     committed to the state;
        //  3. the batch's group commit makes the messages durable (fsync files, rename to
        //     new/, fsync the directory);
        //  4. only then are their (UIDL, size) recorded, and the intents removed, in one
        //     state transaction;
        //  5. DELE (and QUIT) only for messages recorded in 4 (remove()).
        // A crash before 3 leaves only tmp/ files: the messages are fetched again. A crash
        // between 3 and 4 leaves intents: the next pass records those whose file is in the
        // Maildir (recover_intents) instead of fetching them again. An error in the middle of
        // a batch still commits the messages completed before it.
        maildir::delivery_batch batch;
        std::map<std::string, server_message*> in_batch; // by Maildir base name
        for (std::size_t i = 0; i < sinks.size(); ++i) {
            if (!answers[i] || !answers[i]->ok() || !sinks[i]->complete())
                continue;
            auto d = sinks[i]->take();
            const auto base = d.base_name();
            if (auto ec = batch.add(std::move(d))) {
                local_failure_ = true;
                co_return fail(ec, "Maildir delivery");
            }
            in_batch[base] = wanted[first + i];
        }
        const auto now = unix_seconds(options_.now);
        if (auto ec = record_intents(in_batch, now, true))
            co_return ec;
        std::vector<maildir::delivered_message> delivered;
        const auto commit_error = batch.commit(delivered);
        if (options_.hooks.stop_after_maildir_commit)
            co_return fail(make_error_code(std::errc::interrupted),
                           "test hook: stopped after the Maildir commit");
        std::vector<server_message*> durable; // even after an error: what commit made durable
        for (const auto& d : delivered)
            durable.push_back(in_batch.at(d.entry.base));
        state::transaction tx;
        if (auto ec = store_.begin(tx))
            co_return state_error(ec);
        if (auto ec = record_intents(in_batch, now, false))
            co_return ec;
        for (auto* stored : durable) {
            auto& m = *stored;
            if (m.known) // recycled UIDL: the old message is gone from the server
                if (auto ec = store_.delete_pop3_uidl(m.key))
                    co_return state_error(ec);
            state::pop3_uidl_record record{m.key, m.size, now};
            if (auto ec = store_.add_pop3_uidl(record))
                co_return state_error(ec);
            m.known = record;
        }
        if (auto ec = tx.commit())
            co_return state_error(ec);
        for (auto* m : durable) {
            m->stored = true;
            ++result.fetched;
            result.bytes += m->size;
        }
        if (session_error)
            co_return fail(session_error, client_.diagnostics());
        if (commit_error) {
            local_failure_ = true;
            co_return fail(commit_error, "Maildir group commit in " + inbox_dir_.string());
        }
        for (std::size_t i = 0; i < count; ++i)
            if (answers[i] && !answers[i]->ok())
                co_return fail(make_error_code(pop3_errc::command_failed),
                               fmt::format("RETR {} failed: {}", wanted[first + i]->number,
                                           util::quote_server_text(answers[i]->text)));
    }
    co_return std::error_code{};
}

boost::asio::awaitable<std::error_code>
pop3_fetcher::remove(const std::vector<server_message>& messages, fetch_result& result) {
    const auto now = unix_seconds(options_.now);
    const auto min_age = static_cast<std::int64_t>(options_.delete_after_days) * seconds_per_day;
    std::vector<const server_message*> doomed;
    for (const auto& m : messages) {
        // Only what we stored durably (recorded in the state) may go.
        if (!m.stored || !m.known)
            continue;
        const bool expired =
            options_.delete_after_days > 0 && now - m.known->first_fetched >= min_age;
        if (!options_.leave_on_server || expired)
            doomed.push_back(&m);
    }
    if (options_.dry_run) {
        result.to_delete = doomed.size();
        doomed.clear();
    }
    std::size_t marked = 0;
    for (const auto* m : doomed) {
        std::error_code ec;
        const auto dele = commands::dele(m->number, ec);
        if (ec)
            co_return fail(ec, "DELE");
        if (auto e = client_.submit(*dele, [&marked](const response& r) { marked += r.ok(); }))
            co_return fail(e, client_.diagnostics());
    }
    if (auto e = co_await client_.run())
        co_return fail(e, client_.diagnostics());
    // QUIT commits the DELEs (RFC 1939 §6): only now are they gone.
    if (auto e = co_await client_.quit())
        co_return fail(e, client_.diagnostics());
    result.deleted = marked;
    if (doomed.empty())
        co_return std::error_code{};
    // Forget deleted messages, so a server that reuses their UIDL is not mistaken. A crash
    // before this leaves stale rows, which are harmless.
    state::transaction tx;
    if (auto ec = store_.begin(tx))
        co_return state_error(ec);
    std::set<std::string_view> forgotten; // a key the server listed twice is one row
    for (const auto* m : doomed)
        if (!forgotten.insert(m->key).second)
            continue;
        else if (auto ec = store_.delete_pop3_uidl(m->key))
            co_return state_error(ec);
    if (auto ec = tx.commit())
        co_return state_error(ec);
    co_return std::error_code{};
}

boost::asio::awaitable<std::error_code>
fetch_account(const config::server_config& server, std::string account, state::state_store& store,
              const std::filesystem::path& inbox_dir, const fetch_options& options,
              fetch_result& result, std::string& diagnostics) {
    secret_string secret;
    if (auto ec = net::resolve_secret(server.secret, secret, diagnostics))
        co_return ec;
    net::transport transport(co_await boost::asio::this_coro::executor,
                             net::transport_options_for(server));
    if (auto ec = co_await connect_pop3(transport, server, diagnostics)) {
        result.retry_later = is_transient_failure(ec);
        co_return ec;
    }
    client session(transport, session_options_for(server, transport, secret), account);
    if (auto ec = co_await session.open()) {
        diagnostics = session.diagnostics();
        result.retry_later = is_transient_failure(ec);
        co_return ec;
    }
    result.logged_in = true;
    result.login_delay = session.session().login_delay();
    pop3_fetcher fetcher(session, store, inbox_dir, options);
    auto ec = co_await fetcher.run(result);
    if (ec)
        diagnostics = fetcher.diagnostics();
    co_return ec;
}

} // namespace postfach::pop3
