// The sans-IO IMAP session and parser against the private Dovecot, over a plain loopback
// socket driven by a minimal blocking loop (net/ provides the real, TLS-capable transport).
// What Dovecot really sends must parse: greeting, capabilities, LIST with SPECIAL-USE and
// STATUS, SELECT with CONDSTORE/QRESYNC, FETCH with streamed bodies, APPEND with both literal
// kinds, APPENDUID/COPYUID, VANISHED, IDLE, LOGOUT.

#include "imap/imap_errc.hpp"
#include "imap/mailbox_name.hpp"
#include "imap/session_fsm.hpp"
#include "net/sasl_mechanism.hpp"
#include "tests/fixture/dovecot_server.hpp"
#include "tests/support/loopback_fsm_driver.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <gtest/gtest.h>
#include <map>

namespace postfach::imap {
namespace {

using namespace std::string_literals;
using postfach::test::dovecot_server;
using postfach::test::make_message;

// net/'s PLAIN, through the interface the session uses.
std::unique_ptr<sasl_mechanism> plain_mechanism(std::string user, std::string password) {
    net::sasl_credentials credentials;
    credentials.user = std::move(user);
    credentials.secret = secret_string(std::move(password));
    return net::make_sasl_mechanism(config::auth_mechanism::plain, std::move(credentials));
}

class recording_handler final : public untagged_handler {
public:
    void on_untagged(response&& r) override { received.push_back(std::move(r)); }
    template <typename T>
    std::vector<T> all() const {
        std::vector<T> out;
        for (const auto& r : received)
            if (const auto* v = std::get_if<T>(&r))
                out.push_back(*v);
        return out;
    }
    std::vector<response> received;
};

class collecting_sink final : public body_sink {
public:
    void begin(const body_section_header& h) override {
        current_ = h.uid.value_or(0);
        bodies[current_].clear();
    }
    void data(std::string_view chunk) override { bodies[current_] += chunk; }
    void end() override {}
    std::map<std::uint32_t, std::string> bodies;

private:
    std::uint32_t current_ = 0;
};

using loopback_driver = test::loopback_fsm_driver<session_fsm>;

// Submits one command and runs the session until its tagged response.
status_response run_command(loopback_driver& driver, session_fsm& fsm, command cmd,
                            const std::string& body = {}) {
    std::optional<status_response> result;
    if (!body.empty())
        driver.bodies[cmd.tag] = body;
    const auto name = cmd.name;
    EXPECT_FALSE(fsm.submit(std::move(cmd), [&](const status_response& r) { result = r; }));
    EXPECT_TRUE(driver.run(fsm, [&] { return result.has_value(); })) << name;
    EXPECT_TRUE(result) << name << ": " << fsm.diagnostics();
    return result.value_or(status_response{});
}

session_options plaintext_options(sasl_mechanism* mechanism) {
    session_options o;
    o.security = transport_security::none; // loopback only
    o.mechanisms = {mechanism};
    return o;
}

TEST(imap_session, against_dovecot) {
    dovecot_server server;
    const auto first = make_message("first", "Hello.\r\n");
    const auto second = make_message("second", std::string(100000, 'x') + "\r\n");
    const auto uid1 = server.add_message("alice", "INBOX", first);
    const auto uid2 = server.add_message("alice", "INBOX", second, {"\\Seen"});
    server.create_folder("alice", "Entwürfe");

    const auto plain = plain_mechanism("alice", server.user("alice").password);
    recording_handler handler;
    collecting_sink sink;
    session_fsm fsm(plaintext_options(plain.get()), &handler);
    fsm.parser().set_body_sink(&sink);
    loopback_driver driver(server.imap_port());
    fsm.on_connected();
    ASSERT_TRUE(driver.run(fsm));
    ASSERT_EQ(fsm.current_phase(), session_fsm::phase::ready) << fsm.diagnostics();
    for (const auto* cap : {"IDLE", "UIDPLUS", "MOVE", "CONDSTORE", "QRESYNC", "LITERAL+"})
        EXPECT_TRUE(fsm.has_capability(cap)) << cap;

    auto& w = fsm.writer();
    EXPECT_EQ(run_command(driver, fsm, w.enable({"QRESYNC"})).status, status_word::ok);
    ASSERT_EQ(handler.all<enabled_data>().size(), 1u);
    EXPECT_EQ(handler.all<enabled_data>()[0].capabilities, std::vector<std::string>{"QRESYNC"});

    // LIST with SPECIAL-USE and STATUS; names in modified UTF-7.
    EXPECT_EQ(run_command(driver, fsm,
                          w.list("", "*", list_return_options{true, {"MESSAGES", "UIDNEXT"}}))
                  .status,
              status_word::ok);
    std::map<std::string, list_data> folders;
    for (const auto& l : handler.all<list_data>()) {
        std::string name;
        EXPECT_FALSE(decode_mailbox_name(l.mailbox, name)) << l.mailbox;
        folders[name] = l;
    }
    ASSERT_TRUE(folders.count("Entwürfe")) << "LIST lacks the UTF-8 folder";
    EXPECT_EQ(folders["Entwürfe"].mailbox, "Entw&APw-rfe");
    ASSERT_TRUE(folders.count("Sent"));
    EXPECT_NE(
        std::find(folders["Sent"].attributes.begin(), folders["Sent"].attributes.end(), "\\Sent"),
        folders["Sent"].attributes.end());
    EXPECT_EQ(folders["INBOX"].delimiter, '/');
    bool inbox_status = false;
    for (const auto& s : handler.all<status_data>())
        if (s.mailbox == "INBOX")
            inbox_status = s.get("MESSAGES") == 2u && s.get("UIDNEXT") == uid2 + 1;
    EXPECT_TRUE(inbox_status);

    // SELECT with QRESYNC parameters that do not match: Dovecot still answers the basics.
    handler.received.clear();
    const auto selected = run_command(driver, fsm, w.select("INBOX", select_options{true, {}}));
    EXPECT_EQ(selected.status, status_word::ok);
    ASSERT_TRUE(selected.code);
    EXPECT_EQ(selected.code->kind, response_code_kind::read_write);
    ASSERT_EQ(handler.all<exists_data>().size(), 1u);
    EXPECT_EQ(handler.all<exists_data>()[0].count, 2u);
    std::uint64_t highest_modseq = 0;
    std::uint32_t uidvalidity = 0;
    for (const auto& s : handler.all<status_response>()) {
        if (s.code && s.code->kind == response_code_kind::highestmodseq)
            highest_modseq = s.code->number;
        if (s.code && s.code->kind == response_code_kind::uidvalidity)
            uidvalidity = static_cast<std::uint32_t>(s.code->number);
    }
    EXPECT_GT(highest_modseq, 0u);
    EXPECT_GT(uidvalidity, 0u);

    // FETCH: bodies stream into the sink byte for byte, the rest lands in fetch_data.
    handler.received.clear();
    EXPECT_EQ(run_command(driver, fsm,
                          w.uid_fetch(uid_set::range(1, uid_set::star),
                                      {"UID", "FLAGS", "RFC822.SIZE", "INTERNALDATE", "MODSEQ",
                                       "BODY.PEEK[]"}))
                  .status,
              status_word::ok);
    const auto fetched = handler.all<fetch_data>();
    ASSERT_EQ(fetched.size(), 2u);
    EXPECT_EQ(fetched[1].uid, uid2);
    EXPECT_EQ(fetched[1].rfc822_size, second.size());
    ASSERT_TRUE(fetched[1].flags);
    EXPECT_NE(std::find(fetched[1].flags->begin(), fetched[1].flags->end(), "\\Seen"),
              fetched[1].flags->end());
    EXPECT_TRUE(fetched[1].internal_date);
    EXPECT_TRUE(fetched[1].modseq);
    EXPECT_EQ(sink.bodies[uid1], first);
    EXPECT_EQ(sink.bodies[uid2], second);

    // APPEND with a synchronizing literal, then with LITERAL+.
    const auto appended = make_message("appended");
    w.set_literal_mode(literal_mode::synchronizing);
    auto append = w.append("Sent", {"\\Seen"}, "26-Nov-2026 08:00:00 +0000", appended.size());
    ASSERT_TRUE(append.waits_for_continuation());
    auto result = run_command(driver, fsm, std::move(append), appended);
    EXPECT_EQ(result.status, status_word::ok) << result.text;
    ASSERT_TRUE(result.code);
    EXPECT_EQ(result.code->kind, response_code_kind::appenduid);
    w.set_literal_mode(literal_mode::literal_plus);
    result =
        run_command(driver, fsm, w.append("Sent", {}, std::nullopt, appended.size()), appended);
    EXPECT_EQ(result.code->kind, response_code_kind::appenduid);
    EXPECT_EQ(server.message_count("alice", "Sent"), 2u);
    result =
        run_command(driver, fsm, w.append("Nowhere", {}, std::nullopt, appended.size()), appended);
    EXPECT_EQ(result.status, status_word::no);
    EXPECT_EQ(result.code->kind, response_code_kind::trycreate);

    // STORE with UNCHANGEDSINCE, then MOVE: COPYUID and VANISHED (QRESYNC is enabled).
    handler.received.clear();
    result = run_command(driver, fsm,
                         w.uid_store(uid_set::from_uids({uid1}), store_action::add, {"\\Flagged"},
                                     true, highest_modseq));
    EXPECT_EQ(result.status, status_word::ok) << result.text;
    result = run_command(driver, fsm, w.uid_move(uid_set::from_uids({uid1}), "Trash"));
    EXPECT_EQ(result.status, status_word::ok);
    bool copyuid = result.code && result.code->kind == response_code_kind::copyuid;
    for (const auto& s : handler.all<status_response>())
        copyuid |= s.code && s.code->kind == response_code_kind::copyuid;
    EXPECT_TRUE(copyuid);
    ASSERT_EQ(handler.all<vanished_data>().size(), 1u);
    EXPECT_EQ(handler.all<vanished_data>()[0].uids.to_uids(), std::vector<std::uint32_t>{uid1});

    // IDLE: a delivery shows up as EXISTS; DONE ends it.
    handler.received.clear();
    std::optional<status_response> idle_done;
    ASSERT_FALSE(fsm.submit(w.idle(), [&](const status_response& r) { idle_done = r; }));
    ASSERT_TRUE(driver.run(fsm, [&] { return fsm.idling(); }));
    server.add_message("alice", "INBOX", make_message("during idle"));
    ASSERT_TRUE(driver.run(fsm, [&] { return !handler.all<exists_data>().empty(); }));
    EXPECT_EQ(handler.all<exists_data>().back().count, 2u);
    ASSERT_FALSE(fsm.stop_idle());
    ASSERT_TRUE(driver.run(fsm, [&] { return idle_done.has_value(); }));
    EXPECT_EQ(idle_done->status, status_word::ok);

    ASSERT_FALSE(fsm.logout());
    ASSERT_TRUE(driver.run(fsm));
    EXPECT_EQ(fsm.current_phase(), session_fsm::phase::done);
    EXPECT_FALSE(fsm.error()) << fsm.diagnostics();
}

TEST(imap_session, wrong_password_is_reported_with_the_server_text) {
    dovecot_server server;
    const auto plain = plain_mechanism("alice", "wrong");
    session_fsm fsm(plaintext_options(plain.get()), nullptr);
    loopback_driver driver(server.imap_port());
    fsm.on_connected();
    ASSERT_TRUE(driver.run(fsm));
    EXPECT_EQ(fsm.error(), imap_errc::auth_failed);
    EXPECT_NE(fsm.diagnostics().find("[AUTHENTICATIONFAILED]"), std::string::npos)
        << fsm.diagnostics();
}

TEST(imap_session, starttls_is_offered_and_requested) {
    dovecot_server server;
    const auto plain = plain_mechanism("alice", server.user("alice").password);
    session_options o = plaintext_options(plain.get());
    o.security = transport_security::starttls;
    session_fsm fsm(o, nullptr);
    loopback_driver driver(server.imap_port());
    fsm.on_connected();
    // The session stops at the point where the transport must start TLS.
    ASSERT_TRUE(driver.run(fsm, [&] { return fsm.next().type == next_action::kind::start_tls; }))
        << fsm.diagnostics();
}

} // namespace
} // namespace postfach::imap
