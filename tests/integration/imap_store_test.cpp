// imap_store against the fixture Dovecot: each store operation, with and without the
// extensions it prefers (UIDPLUS, MOVE), checked on the server through doveadm.

#include "imap/connection.hpp"
#include "imap/imap_errc.hpp"
#include "imap/imap_store.hpp"
#include "imap/imap_store_errc.hpp"
#include "sync/message_identity.hpp"
#include "tests/fixture/dovecot_server.hpp"
#include "tests/support/coroutine_runner.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <gtest/gtest.h>

namespace postfach::imap {
namespace {

namespace asio = boost::asio;
using postfach::test::dovecot_server;
using postfach::test::make_message;
using postfach::test::run_until_done;

using namespace sync::flag_bit; // draft, flagged, forwarded, answered, seen, deleted

config::server_config alice_on(const dovecot_server& server) {
    config::server_config s;
    s.host = "localhost";
    s.tls = config::tls_mode::implicit;
    s.port = server.imaps_port();
    s.ca_file = server.ca_file();
    s.user = "alice";
    s.secret.password = secret_string(server.user("alice").password);
    return s;
}

// Opens a connection as alice, runs body with a store over it, logs out.
void with_store(const dovecot_server& server,
                const std::function<asio::awaitable<void>(imap_store&)>& body) {
    asio::io_context io;
    const auto s = alice_on(server);
    connection c(io.get_executor(), s, connection_options_for(s, "test"));
    run_until_done(io, [&]() -> asio::awaitable<void> {
        CO_ASSERT_NO_ERROR(co_await c.open(), c.diagnostics());
        imap_store store(c.session());
        co_await body(store);
        CO_ASSERT_NO_ERROR(co_await c.logout(), c.diagnostics());
    });
}

class string_sink final : public sync::message_sink {
public:
    std::string bytes;
    int chunks = 0;
    sync::task<std::error_code> write(std::string_view chunk) override {
        bytes.append(chunk);
        ++chunks;
        co_return std::error_code();
    }
};

sync::store::producer produce(std::string bytes) {
    return [bytes = std::move(bytes)](sync::message_sink& sink) -> sync::task<std::error_code> {
        co_return co_await sink.write(bytes);
    };
}

std::string header_of(const std::string& message) {
    return message.substr(0, message.find("\r\n\r\n") + 4);
}

std::string flags_on_server(dovecot_server& server, std::string_view folder, std::uint32_t uid) {
    return server.doveadm({"fetch", "-u", "alice", "flags", "mailbox", std::string(folder), "uid",
                           std::to_string(uid)});
}

std::string uidvalidity_of(dovecot_server& server, std::string_view folder) {
    auto out = server.doveadm(
        {"-f", "flow", "mailbox", "status", "-u", "alice", "uidvalidity", std::string(folder)});
    out = out.substr(out.find('=') + 1);
    out.erase(std::remove_if(out.begin(), out.end(), [](char c) { return c < '0' || c > '9'; }),
              out.end());
    return out;
}

const sync::folder_info* find(const std::vector<sync::folder_info>& folders,
                              std::string_view name) {
    for (const auto& f : folders)
        if (f.name == name)
            return &f;
    return nullptr;
}

TEST(imap_store, folders_nested_and_non_ascii_with_special_use) {
    dovecot_server server;
    server.add_message("alice", "INBOX", make_message("seed"));
    with_store(server, [&](imap_store& store) -> asio::awaitable<void> {
        CO_ASSERT_NO_ERROR(co_await store.create_folder("Projekte/Größe"), store.diagnostics());
        std::vector<sync::folder_info> folders;
        CO_ASSERT_NO_ERROR(co_await store.list_folders(folders), store.diagnostics());
        EXPECT_NE(find(folders, "INBOX"), nullptr);
        EXPECT_NE(find(folders, "Projekte/Größe"), nullptr);
        const auto* sent = find(folders, "Sent");
        EXPECT_TRUE(sent != nullptr && sent->special_use == "\\Sent");

        CO_ASSERT_NO_ERROR(co_await store.rename_folder("Projekte/Größe", "Archiv/Maße"),
                           store.diagnostics());
        CO_ASSERT_NO_ERROR(co_await store.delete_folder("Archiv/Maße"), store.diagnostics());
        const auto ec = co_await store.delete_folder("Archiv/Maße");
        EXPECT_EQ(ec, imap_errc::command_failed);
        EXPECT_NE(store.diagnostics().find("DELETE refused"), std::string::npos)
            << store.diagnostics();
    });
    const auto names = server.folders("alice");
    EXPECT_EQ(std::count(names.begin(), names.end(), "Archiv/Maße"), 0);
    EXPECT_EQ(std::count(names.begin(), names.end(), "Projekte/Größe"), 0);
}

TEST(imap_store, scan_identify_size_and_read) {
    dovecot_server server;
    server.create_folder("alice", "Größe");
    const auto plain = make_message("plain", "one\r\ntwo\r\n");
    const auto marked = make_message("marked", std::string(100000, 'x') + "\r\n");
    const auto uid1 = server.add_message("alice", "Größe", plain);
    const auto uid2 = server.add_message("alice", "Größe", marked,
                                         {"\\Seen", "\\Flagged", "$Forwarded", "$Work"});
    with_store(server, [&](imap_store& store) -> asio::awaitable<void> {
        sync::folder_scan scan;
        CO_ASSERT_NO_ERROR(co_await store.scan("Größe", scan), store.diagnostics());
        EXPECT_EQ(scan.epoch, uidvalidity_of(server, "Größe"));
        if (scan.messages.size() != 2) {
            ADD_FAILURE() << scan.messages.size();
            co_return;
        }
        EXPECT_EQ(scan.messages[0].id, std::to_string(uid1));
        EXPECT_EQ(scan.messages[0].flags, 0);
        EXPECT_EQ(scan.messages[1].id, std::to_string(uid2));
        EXPECT_EQ(scan.messages[1].flags, seen | flagged | forwarded);

        std::vector<sync::scanned_message*> unknown{&scan.messages[0], &scan.messages[1]};
        CO_ASSERT_NO_ERROR(co_await store.identify("Größe", unknown), store.diagnostics());
        EXPECT_EQ(scan.messages[0].identity, sync::make_identity(plain.size(), header_of(plain)));
        EXPECT_EQ(scan.messages[1].identity, sync::make_identity(marked.size(), header_of(marked)));

        std::uint64_t size = 0;
        CO_ASSERT_NO_ERROR(co_await store.message_size("Größe", std::to_string(uid2), size),
                           store.diagnostics());
        EXPECT_EQ(size, marked.size());
        string_sink sink;
        CO_ASSERT_NO_ERROR(co_await store.read_message("Größe", std::to_string(uid2), sink),
                           store.diagnostics());
        EXPECT_EQ(sink.bytes, marked);
        EXPECT_GT(sink.chunks, 1) << "streamed per read, not collected";

        string_sink none;
        EXPECT_EQ(co_await store.read_message("Größe", "999", none),
                  imap_store_errc::message_not_found);
        EXPECT_EQ(co_await store.message_size("Größe", "x1", size), imap_store_errc::invalid_id);
        sync::folder_scan missing;
        EXPECT_EQ(co_await store.scan("Nirgends", missing), imap_errc::command_failed);
        EXPECT_NE(store.diagnostics().find("SELECT refused"), std::string::npos)
            << store.diagnostics();
    });
}

TEST(imap_store, flags_both_ways_keep_keywords) {
    dovecot_server server;
    const auto uid = server.add_message("alice", "INBOX", make_message("f"), {"\\Seen", "$Work"});
    with_store(server, [&](imap_store& store) -> asio::awaitable<void> {
        CO_ASSERT_NO_ERROR(co_await store.set_flags("INBOX", std::to_string(uid),
                                                    flagged | answered | draft, seen),
                           store.diagnostics());
        sync::folder_scan scan;
        CO_ASSERT_NO_ERROR(co_await store.scan("INBOX", scan), store.diagnostics());
        EXPECT_TRUE(scan.messages.size() == 1 &&
                    scan.messages[0].flags == (flagged | answered | draft));
    });
    const auto flags = flags_on_server(server, "INBOX", uid);
    EXPECT_NE(flags.find("$Work"), std::string::npos) << flags;
    EXPECT_NE(flags.find("\\Answered"), std::string::npos) << flags;
    EXPECT_EQ(flags.find("\\Seen"), std::string::npos) << flags;
}

TEST(imap_store, append_with_flags_reports_the_new_uid) {
    dovecot_server server;
    server.add_message("alice", "INBOX", make_message("seed"));
    const auto message = make_message("uploaded", "body\r\n");
    with_store(server, [&](imap_store& store) -> asio::awaitable<void> {
        sync::new_message m;
        m.folder = "Archiv/2026";
        m.flags = seen | answered;
        m.size = message.size();
        m.internal_date = 1'700'000'000;
        std::string id;
        EXPECT_EQ(co_await store.write_message(m, produce(message), id), imap_errc::command_failed)
            << "no such folder: NO [TRYCREATE]";
        CO_ASSERT_NO_ERROR(co_await store.create_folder("Archiv/2026"), store.diagnostics());
        CO_ASSERT_NO_ERROR(co_await store.write_message(m, produce(message), id),
                           store.diagnostics());
        sync::folder_scan scan;
        CO_ASSERT_NO_ERROR(co_await store.scan("Archiv/2026", scan), store.diagnostics());
        EXPECT_TRUE(scan.messages.size() == 1 && scan.messages[0].id == id &&
                    scan.messages[0].flags == (seen | answered));
        string_sink sink;
        CO_ASSERT_NO_ERROR(co_await store.read_message("Archiv/2026", id, sink),
                           store.diagnostics());
        EXPECT_EQ(sink.bytes, message);
        CO_ASSERT_NO_ERROR(co_await store.commit(), store.diagnostics());
    });
    const auto date =
        server.doveadm({"fetch", "-u", "alice", "date.received", "mailbox", "Archiv/2026", "all"});
    EXPECT_NE(date.find("2023-11-14"), std::string::npos) << date;
}

using id_flags = std::vector<std::pair<std::string, sync::flag_bits>>;

id_flags ids_and_flags(const sync::folder_scan& s) {
    id_flags out;
    for (const auto& m : s.messages)
        out.emplace_back(m.id, m.flags);
    return out;
}

// The CONDSTORE rescan (CHANGEDSINCE, UID SEARCH ALL when messages went) sees what a full scan
// of a new connection sees: other clients' flag changes, expunges and new mail, and our own.
TEST(imap_store, condstore_rescan_matches_a_full_scan) {
    dovecot_server server;
    const auto a = server.add_message("alice", "INBOX", make_message("a"));
    const auto b = server.add_message("alice", "INBOX", make_message("b"));
    const auto c = server.add_message("alice", "INBOX", make_message("c"));
    id_flags rescanned;
    with_store(server, [&](imap_store& store) -> asio::awaitable<void> {
        sync::folder_scan scan;
        CO_ASSERT_NO_ERROR(co_await store.scan("INBOX", scan), store.diagnostics());
        CO_ASSERT_NO_ERROR(co_await store.scan("INBOX", scan), store.diagnostics());
        EXPECT_EQ(scan.messages.size(), 3U);
        server.add_flags("alice", "INBOX", b, {"\\Seen"});
        server.expunge("alice", "INBOX", a);
        const auto d = server.add_message("alice", "INBOX", make_message("d"), {"\\Flagged"});
        CO_ASSERT_NO_ERROR(co_await store.set_flags("INBOX", std::to_string(c), draft, 0),
                           store.diagnostics());
        CO_ASSERT_NO_ERROR(co_await store.scan("INBOX", scan), store.diagnostics());
        rescanned = ids_and_flags(scan);
        EXPECT_EQ(rescanned, (id_flags{{std::to_string(b), seen},
                                       {std::to_string(c), draft},
                                       {std::to_string(d), flagged}}));
    });
    with_store(server, [&](imap_store& store) -> asio::awaitable<void> {
        sync::folder_scan scan;
        CO_ASSERT_NO_ERROR(co_await store.scan("INBOX", scan), store.diagnostics());
        EXPECT_EQ(ids_and_flags(scan), rescanned);
    });
}

// Removal and move, with and without UIDPLUS and MOVE.
struct extension_case {
    const char* capability; // imap_capability of the server; nullptr: Dovecot's defaults
    bool uidplus;
};

class imap_store_extensions : public ::testing::TestWithParam<extension_case> {
protected:
    static postfach::test::dovecot_options options() {
        postfach::test::dovecot_options o;
        if (GetParam().capability != nullptr)
            o.imap_capability = GetParam().capability;
        return o;
    }
    dovecot_server server_{options()};
};

TEST_P(imap_store_extensions, remove_expunges_only_our_message) {
    const auto mine = server_.add_message("alice", "INBOX", make_message("mine"));
    const auto other = server_.add_message("alice", "INBOX", make_message("other"), {"\\Deleted"});
    const auto kept = server_.add_message("alice", "INBOX", make_message("kept"));
    with_store(server_, [&](imap_store& store) -> asio::awaitable<void> {
        const auto ec = co_await store.remove_message("INBOX", std::to_string(mine));
        if (GetParam().uidplus) {
            CO_ASSERT_NO_ERROR(ec, store.diagnostics());
        } else {
            EXPECT_EQ(ec, imap_store_errc::unsafe_expunge) << store.diagnostics();
            // Once the other \Deleted message is gone, EXPUNGE removes only ours.
            server_.expunge("alice", "INBOX", other);
            CO_ASSERT_NO_ERROR(co_await store.remove_message("INBOX", std::to_string(mine)),
                               store.diagnostics());
        }
        sync::folder_scan scan;
        CO_ASSERT_NO_ERROR(co_await store.scan("INBOX", scan), store.diagnostics());
        std::vector<std::string> ids;
        for (const auto& m : scan.messages)
            ids.push_back(m.id);
        std::vector<std::string> expected;
        if (GetParam().uidplus)
            expected.push_back(std::to_string(other));
        expected.push_back(std::to_string(kept));
        EXPECT_EQ(ids, expected);
    });
}

TEST_P(imap_store_extensions, move_reports_the_new_uid) {
    const auto uid = server_.add_message("alice", "INBOX", make_message("moving"), {"\\Flagged"});
    server_.create_folder("alice", "Ablage/Älter");
    with_store(server_, [&](imap_store& store) -> asio::awaitable<void> {
        sync::folder_scan scan;
        CO_ASSERT_NO_ERROR(co_await store.scan("INBOX", scan), store.diagnostics());
        std::string new_id;
        const auto ec =
            co_await store.move_message("INBOX", std::to_string(uid), "Ablage/Älter", new_id);
        // Without MOVE: UID COPY, \Deleted, then UID EXPUNGE or the guarded EXPUNGE. (Dovecot
        // reports COPYUID even when UIDPLUS is not advertised.)
        CO_ASSERT_NO_ERROR(ec, store.diagnostics());
        sync::folder_scan moved;
        CO_ASSERT_NO_ERROR(co_await store.scan("Ablage/Älter", moved), store.diagnostics());
        EXPECT_TRUE(moved.messages.size() == 1 && moved.messages[0].id == new_id &&
                    moved.messages[0].flags == flagged);
        CO_ASSERT_NO_ERROR(co_await store.scan("INBOX", scan), store.diagnostics());
        EXPECT_TRUE(scan.messages.empty());
    });
}

std::string case_name(const ::testing::TestParamInfo<extension_case>& info) {
    if (info.param.capability == nullptr)
        return "dovecot_defaults";
    return info.param.uidplus ? "uidplus_without_move" : "no_uidplus_no_move";
}

INSTANTIATE_TEST_SUITE_P(
    capabilities, imap_store_extensions,
    ::testing::Values(extension_case{nullptr, true},
                      extension_case{"IMAP4rev1 LITERAL+ SPECIAL-USE UIDPLUS UNSELECT", true},
                      extension_case{"IMAP4rev1 LITERAL+ SPECIAL-USE", false}),
    case_name);

} // namespace
} // namespace postfach::imap
