// What recording an initial sync's messages costs the SQLite state alone: the records an
// initial sync puts (no `previous`; UIDs in order, fresh Maildir base names, flags, the
// identity), spread over folders one after another, committed in batches as the engine
// does, on one thread. Prints the thread's CPU time of the puts and of the commits, and the
// statements run per record. Not a test: it prints figures.
//
//   state_put_bench --dir DIR [--messages N] [--folders N] [--batch N] [--rounds N]
//
// The first round counts the statements (SQLite's trace hook) and is not timed. Each round
// uses a fresh database under DIR (left there: deleting files between timed runs
// slows the next ones on a journal-less ext4, README.md).

#include "state/sqlite_sync_state.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>
#include <sqlite3.h>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct options {
    std::string dir;
    std::size_t messages = 20000;
    std::size_t folders = 6;
    std::size_t batch = 256;
    std::size_t rounds = 5;
};

bool parse(int argc, char** argv, options& o) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view key = argv[i];
        const auto value = std::strtoul(argv[i + 1], nullptr, 10);
        if (key == "--dir")
            o.dir = argv[i + 1];
        else if (key == "--messages")
            o.messages = value;
        else if (key == "--folders")
            o.folders = value;
        else if (key == "--batch")
            o.batch = value;
        else if (key == "--rounds")
            o.rounds = value;
        else
            return false;
    }
    return argc % 2 == 1 && !o.dir.empty() && o.folders > 0 && o.batch > 0 && o.rounds > 1;
}

double thread_cpu() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// A record as an initial sync makes it (bench_server's small corpus, postfach's names).
postfach::sync::synced_message record(std::size_t uid, std::size_t n) {
    postfach::sync::synced_message r;
    r.ids[0] = std::to_string(uid);
    r.ids[1] = fmt::format("1795788041.M{}P14922Q{}.vm", 321086 + 37 * n, n + 1);
    r.flags = n % 3 == 0 ? 0 : 0b10000;
    r.identity = fmt::format("{}:{:064x}", 1393 + n % 9000, n * 2654435761U);
    return r;
}

int statements_run = 0;

int count_statement(unsigned /*type*/, void* /*context*/, void* /*statement*/, void* /*x*/) {
    ++statements_run;
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    options o;
    if (!parse(argc, argv, o)) {
        std::fprintf(stderr, "usage: state_put_bench --dir DIR [--messages N] [--folders N] "
                             "[--batch N] [--rounds N]\n");
        return 2;
    }
    using namespace postfach;
    std::vector<double> put_cpu;
    std::vector<double> commit_cpu;
    for (std::size_t round = 0; round < o.rounds; ++round) {
        const auto path =
            std::filesystem::path(o.dir) / fmt::format("round-{}-{}.sqlite", ::getpid(), round);
        state::state_store store;
        if (auto ec = state::state_store::open(path, store)) {
            std::fprintf(stderr, "state_put_bench: %s: %s\n", path.c_str(), ec.message().c_str());
            return 1;
        }
        // The statements are counted in the first round, which is left out of the timings.
        statements_run = 0;
        ::sqlite3_trace_v2(store.connection(), round == 0 ? SQLITE_TRACE_STMT : 0, count_statement,
                           nullptr);
        double puts = 0;
        double commits = 0;
        {
            state::sqlite_sync_state state(store);
            std::size_t n = 0;
            for (std::size_t f = 0; f < o.folders; ++f) {
                const std::string folder = f == 0 ? "INBOX" : fmt::format("folder-{}", f);
                const std::size_t count =
                    o.messages / o.folders + (f < o.messages % o.folders ? 1 : 0);
                for (std::size_t uid = 1; uid <= count;) {
                    std::vector<sync::synced_message> batch;
                    for (; batch.size() < o.batch && uid <= count; ++uid, ++n)
                        batch.push_back(record(uid, n));
                    const double start = thread_cpu();
                    for (const auto& r : batch)
                        state.put(folder, nullptr, r);
                    const double between = thread_cpu();
                    if (auto ec = state.commit()) {
                        std::fprintf(stderr, "state_put_bench: commit: %s\n", ec.message().c_str());
                        return 1;
                    }
                    puts += between - start;
                    commits += thread_cpu() - between;
                }
            }
        }
        if (round == 0) {
            std::printf("%.2f statements a record\n",
                        static_cast<double>(statements_run) / static_cast<double>(o.messages));
            continue;
        }
        put_cpu.push_back(puts);
        commit_cpu.push_back(commits);
        std::printf("round %zu: puts %.1f ms CPU, commits %.1f ms CPU\n", round, puts * 1e3,
                    commits * 1e3);
    }
    std::sort(put_cpu.begin(), put_cpu.end());
    std::sort(commit_cpu.begin(), commit_cpu.end());
    const auto median = put_cpu.size() / 2;
    std::printf("median of %zu: puts %.1f ms CPU (%.2f us a record), commits %.1f ms CPU\n",
                put_cpu.size(), put_cpu[median] * 1e3,
                put_cpu[median] * 1e6 / static_cast<double>(o.messages), commit_cpu[median] * 1e3);
    return 0;
}
