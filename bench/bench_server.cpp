// The fixture's private Dovecot (tests/fixture) loaded with the benchmark corpus (corpus.hpp),
// for bench/run. Like dovecot_sandbox it writes postfach.yaml, ca.pem, password and server.env
// into DIR (tests/fixture/sandbox.hpp), then runs COMMAND or waits for SIGINT/SIGTERM; before
// those it writes DIR/corpus.tsv: one line per folder, "folder<TAB>messages<TAB>bytes".
//
//   bench_server --dir DIR [--messages N] [--folders F] [--profile mixed|small] [--seed S]
//                [--big-message MB] [-- COMMAND ARGS...]
//
// --big-message puts one message of about MB megabytes into its own folder "Big" (for the
// peak-RSS figure); the other figures exclude that folder.

#include "bench/corpus.hpp"
#include "tests/fixture/dovecot_server.hpp"
#include "tests/fixture/sandbox.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using postfach::test::dovecot_server;
namespace bench = postfach::bench;

namespace {

int usage() {
    std::cerr
        << "usage: bench_server --dir DIR [--messages N] [--folders F] "
           "[--profile mixed|small] [--seed S] [--big-message MB]\n"
           "                    [--imap-capability CAPS] [-- COMMAND ARGS...]\n"
           "  --imap-capability: what Dovecot advertises after login instead of its own\n"
           "                     (e.g. \"IMAP4rev1 CONDSTORE UIDPLUS MOVE LIST-STATUS\" for a\n"
           "                     server without QRESYNC, as Gmail)\n";
    return 2;
}

struct folder_total {
    std::size_t messages = 0;
    std::size_t bytes = 0;
};

// Imports the corpus folder by folder through the fixture's mbox import, in batches of at most
// 1,000 messages or about 32 MB: the corpus never sits in memory whole, and each doveadm call
// stays well inside the fixture's 30 s limit on a loaded machine (~10 ms a message).
std::map<std::string, folder_total> seed(dovecot_server& server,
                                         const bench::corpus_options& options) {
    constexpr std::size_t batch_bytes = 32 * 1024 * 1024;
    constexpr std::size_t batch_messages = 1000;
    struct pending {
        std::vector<dovecot_server::message_spec> messages;
        std::size_t bytes = 0;
    };
    std::map<std::string, pending> batches;
    std::map<std::string, folder_total> totals;
    bench::corpus_generator corpus(options);
    bench::corpus_message m;
    while (corpus.next(m)) {
        auto& total = totals[m.folder];
        ++total.messages;
        total.bytes += m.rfc822.size();
        auto& batch = batches[m.folder];
        batch.bytes += m.rfc822.size();
        batch.messages.push_back({std::move(m.rfc822), std::move(m.flags)});
        if (batch.bytes >= batch_bytes || batch.messages.size() >= batch_messages) {
            server.add_messages("alice", m.folder, batch.messages);
            batch = {};
        }
    }
    for (const auto& [folder, batch] : batches)
        if (!batch.messages.empty())
            server.add_messages("alice", folder, batch.messages);
    return totals;
}

} // namespace

int main(int argc, char* argv[]) {
    fs::path dir;
    bench::corpus_options corpus;
    std::size_t big_mb = 0;
    std::optional<std::string> imap_capability;
    std::vector<std::string> command;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--dir" && has_value)
            dir = argv[++i];
        else if (arg == "--messages" && has_value)
            corpus.messages = std::strtoul(argv[++i], nullptr, 10);
        else if (arg == "--folders" && has_value)
            corpus.folders = std::strtoul(argv[++i], nullptr, 10);
        else if (arg == "--seed" && has_value)
            corpus.seed = std::strtoull(argv[++i], nullptr, 10);
        else if (arg == "--big-message" && has_value)
            big_mb = std::strtoul(argv[++i], nullptr, 10);
        else if (arg == "--imap-capability" && has_value)
            imap_capability = argv[++i];
        else if (arg == "--profile" && has_value) {
            const std::string profile = argv[++i];
            if (profile == "mixed")
                corpus.profile = bench::corpus_profile::mixed;
            else if (profile == "small")
                corpus.profile = bench::corpus_profile::small;
            else
                return usage();
        } else if (arg == "--") {
            command.assign(argv + i + 1, argv + argc);
            break;
        } else
            return usage();
    }
    if (dir.empty())
        return usage();
    fs::create_directories(dir);
    dir = fs::canonical(dir);

    try {
        // Loading is about 5x faster without Dovecot's fsyncs; no timed step writes to the server.
        postfach::test::dovecot_options server_options;
        server_options.extra_config = "mail_fsync = never\n";
        server_options.imap_capability = imap_capability;
        dovecot_server server(server_options);
        const auto start = std::chrono::steady_clock::now();
        auto totals = seed(server, corpus);
        if (big_mb > 0) {
            const auto big = bench::make_big_message(big_mb * 1024 * 1024, corpus.seed);
            server.add_messages("alice", "Big", {{big, {}}});
            totals["Big"] = {1, big.size()};
        }
        std::size_t messages = 0, bytes = 0;
        {
            std::ofstream out(dir / "corpus.tsv", std::ios::trunc);
            for (const auto& [folder, total] : totals) {
                out << folder << '\t' << total.messages << '\t' << total.bytes << '\n';
                messages += total.messages;
                bytes += total.bytes;
            }
        }
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        std::cerr << fmt::format("bench_server: {} messages, {:.1f} MB in {} folders, loaded in "
                                 "{:.1f} s\n",
                                 messages, static_cast<double>(bytes) / 1e6, totals.size(),
                                 took.count());
        return postfach::test::serve(server,
                                     {"bench_server", dir, dir / "Mail", std::move(command)});
    } catch (const std::exception& e) {
        std::cerr << "bench_server: " << e.what() << "\n";
        return 1;
    }
}
