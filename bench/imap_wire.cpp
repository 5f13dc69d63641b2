// The wire limit: how fast the server hands out every message over one IMAPS connection, with
// nothing written anywhere. Per folder: EXAMINE, then `UID FETCH 1:* BODY.PEEK[]`, the bodies
// counted and dropped. Prints one line per folder and a total with bytes, seconds, MB/s and our
// own CPU seconds (if CPU is well below wall time, the client is not what limits the figure).
//
//   imap_wire_bench --config FILE [--account NAME] [--folder NAME]...
//
// Uses postfach's own transport, parser and session (imap::connection), as a sync does; the
// account's imap block says where to connect. Without --folder, every selectable folder.
// Output ends with a machine-readable line: "total messages=N bytes=B seconds=S cpu=C".

#include "config/config_loader.hpp"
#include "imap/body_sink.hpp"
#include "imap/connection.hpp"
#include "imap/folder_listing.hpp"
#include "imap/mailbox_name.hpp"
#include "imap/uid_set.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <fmt/format.h>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <vector>

namespace asio = boost::asio;
using namespace postfach;

namespace {

class counting_sink final : public imap::body_sink {
public:
    void begin(const imap::body_section_header&) override { ++messages; }
    void data(std::string_view chunk) override { bytes += chunk.size(); }
    void end() override {}

    std::uint64_t messages = 0;
    std::uint64_t bytes = 0;
};

double cpu_seconds() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double mb_per_second(std::uint64_t bytes, double seconds) {
    return seconds > 0 ? static_cast<double>(bytes) / 1e6 / seconds : 0.0;
}

using clock_type = std::chrono::steady_clock;

double since(clock_type::time_point start) {
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

// Fails with a message for stderr; empty when all went well.
asio::awaitable<std::string> fetch_all(imap::connection& c, std::vector<std::string> folders) {
    const auto start = clock_type::now();
    const double cpu_start = cpu_seconds();
    if (const auto ec = co_await c.open())
        co_return fmt::format("cannot log in: {} ({})", ec.message(), c.diagnostics());
    auto& session = c.session();
    if (folders.empty()) {
        std::vector<imap::folder_info> listed;
        std::string diagnostics;
        if (const auto ec = co_await imap::list_folders(session, listed, diagnostics))
            co_return fmt::format("LIST failed: {} ({})", ec.message(), diagnostics);
        for (const auto& f : listed)
            if (f.selectable)
                folders.push_back(f.name);
    }
    counting_sink total;
    for (const auto& folder : folders) {
        std::string wire;
        if (const auto ec = imap::encode_mailbox_name(folder, wire))
            co_return fmt::format("folder name {}: {}", folder, ec.message());
        const auto folder_start = clock_type::now();
        imap::command_result r;
        if (const auto ec = co_await session.run(session.fsm().writer().examine(wire), r))
            co_return fmt::format("EXAMINE {}: {}", folder, ec.message());
        if (r.status.status != imap::status_word::ok)
            co_return fmt::format("EXAMINE {} refused: {}", folder, r.status.text);
        counting_sink sink;
        session.fsm().parser().set_body_sink(&sink);
        const auto fetch = session.fsm().writer().uid_fetch(
            imap::uid_set::range(1, imap::uid_set::star), {"BODY.PEEK[]"});
        const auto ec = co_await session.run(fetch, r);
        session.fsm().parser().set_body_sink(nullptr);
        if (ec)
            co_return fmt::format("UID FETCH in {}: {}", folder, ec.message());
        if (r.status.status != imap::status_word::ok)
            co_return fmt::format("UID FETCH in {} refused: {}", folder, r.status.text);
        const double seconds = since(folder_start);
        fmt::print("{:<20} {:>7} messages {:>10.1f} MB {:>8.3f} s {:>8.1f} MB/s\n", folder,
                   sink.messages, static_cast<double>(sink.bytes) / 1e6, seconds,
                   mb_per_second(sink.bytes, seconds));
        total.messages += sink.messages;
        total.bytes += sink.bytes;
    }
    if (const auto ec = co_await c.logout())
        co_return fmt::format("LOGOUT: {}", ec.message());
    const double seconds = since(start);
    const double cpu = cpu_seconds() - cpu_start;
    fmt::print("{:<20} {:>7} messages {:>10.1f} MB {:>8.3f} s {:>8.1f} MB/s  (CPU {:.3f} s)\n",
               "total", total.messages, static_cast<double>(total.bytes) / 1e6, seconds,
               mb_per_second(total.bytes, seconds), cpu);
    fmt::print("total messages={} bytes={} seconds={:.6f} cpu={:.6f}\n", total.messages,
               total.bytes, seconds, cpu);
    co_return std::string();
}

int usage() {
    fmt::print(stderr,
               "usage: imap_wire_bench --config FILE [--account NAME] [--folder NAME]...\n");
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    std::string config_file, account_name;
    std::vector<std::string> folders;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view key = argv[i];
        if (key == "--config")
            config_file = argv[i + 1];
        else if (key == "--account")
            account_name = argv[i + 1];
        else if (key == "--folder")
            folders.emplace_back(argv[i + 1]);
        else
            return usage();
    }
    if (config_file.empty() || argc % 2 == 0)
        return usage();
    const auto loaded = config::load_config_file(config_file, config::process_environment());
    if (!loaded.config) {
        for (const auto& e : loaded.errors)
            fmt::print(stderr, "{}\n", e.to_string());
        return 2;
    }
    const config::account_config* account = account_name.empty()
                                                ? &loaded.config->accounts.front()
                                                : loaded.config->find_account(account_name);
    if (account == nullptr || !account->imap) {
        fmt::print(stderr, "imap_wire_bench: no such IMAP account in {}\n", config_file);
        return 2;
    }
    asio::io_context io;
    imap::connection c(io.get_executor(), *account->imap,
                       imap::connection_options_for(*account->imap, account->name));
    std::string failure;
    asio::co_spawn(io, fetch_all(c, folders), [&](std::exception_ptr e, std::string result) {
        if (e)
            std::rethrow_exception(e);
        failure = std::move(result);
    });
    io.run();
    if (!failure.empty()) {
        fmt::print(stderr, "imap_wire_bench: {}\n", failure);
        return 1;
    }
    return 0;
}
