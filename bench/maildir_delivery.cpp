// Micro-benchmark: Maildir deliveries per second with group commit (one batch commit per
// --batch messages: every file fsynced, then renamed, then each directory fsynced once) versus
// one commit per message (file fsync + rename + directory fsync for every message).
// Not a test: it prints figures. Run on the file system you care about (--dir); tmpfs makes
// fsync free and the comparison meaningless.
//
//   maildir_delivery_bench [--count N] [--batch N] [--dir DIR]

#include "maildir/delivery.hpp"
#include "maildir/folder_layout.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;
using namespace postfach;

namespace {

struct options {
    std::size_t count = 10'000;
    std::size_t batch = 1'000;
    fs::path dir;
};

bool parse(int argc, char** argv, options& o) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view key = argv[i];
        if (key == "--count")
            o.count = std::strtoul(argv[i + 1], nullptr, 10);
        else if (key == "--batch")
            o.batch = std::strtoul(argv[i + 1], nullptr, 10);
        else if (key == "--dir")
            o.dir = argv[i + 1];
        else
            return false;
    }
    return argc % 2 == 1 && o.count > 0 && o.batch > 0;
}

// A small message as it comes from the wire (CRLF), about 600 bytes.
std::string small_message(std::size_t i) {
    std::string m = fmt::format("From: sender@example.com\r\nTo: rcpt@example.com\r\n"
                                "Subject: benchmark message {}\r\nMessage-ID: <{}@bench>\r\n"
                                "Date: Thu, 26 Nov 2026 06:00:00 +0000\r\n\r\n",
                                i, i);
    for (int line = 0; line < 8; ++line)
        m += "The quick brown fox jumps over the lazy dog, again and again.\r\n";
    return m;
}

// One folder being filled in one mode; accumulates the time spent delivering.
class delivery_run {
public:
    delivery_run(fs::path root, std::size_t commit_every)
        : root_(std::move(root))
        , commit_every_(commit_every) {}

    std::error_code prepare() {
        return maildir::folder_layout(root_, maildir::layout_kind::maildir_plus_plus)
            .create_folder("INBOX");
    }

    // Delivers messages [first, first + n), committing every commit_every_ and at the end.
    std::error_code deliver(std::size_t first, std::size_t n) {
        const auto start = std::chrono::steady_clock::now();
        std::error_code ec;
        for (std::size_t i = first; i < first + n && !ec; ++i) {
            maildir::delivery d;
            maildir::delivery_options o;
            if (i % 3 == 0)
                o.flags.set(maildir::flag::seen); // a mix of new/ and cur/
            ec = maildir::delivery::open(root_, o, names_, d);
            if (!ec)
                ec = d.append(small_message(i));
            if (!ec)
                ec = d.finish();
            if (!ec)
                ec = batch_.add(std::move(d));
            if (!ec && (batch_.size() == commit_every_ || i + 1 == first + n))
                ec = batch_.commit(done_);
        }
        elapsed_ += std::chrono::steady_clock::now() - start;
        return ec;
    }

    [[nodiscard]] std::size_t delivered() const { return done_.size(); }
    [[nodiscard]] double rate() const {
        return static_cast<double>(done_.size()) / elapsed_.count();
    }

private:
    fs::path root_;
    std::size_t commit_every_;
    maildir::unique_name_generator names_;
    maildir::delivery_batch batch_;
    std::vector<maildir::delivered_message> done_;
    std::chrono::duration<double> elapsed_{0};
};

} // namespace

int main(int argc, char** argv) {
    options o;
    if (!parse(argc, argv, o)) {
        fmt::print(stderr, "usage: {} [--count N] [--batch N] [--dir DIR]\n", argv[0]);
        return 2;
    }
    std::string pattern =
        ((o.dir.empty() ? fs::temp_directory_path() : o.dir) / "postfach-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        std::perror("mkdtemp");
        return 1;
    }
    const fs::path base = pattern;

    // The machine is shared: the two modes take turns, one batch each, so that a change of load
    // during the run affects both alike.
    delivery_run grouped(base / "grouped", o.batch);
    delivery_run single(base / "single", 1);
    std::error_code ec = grouped.prepare();
    if (!ec)
        ec = single.prepare();
    for (std::size_t first = 0; first < o.count && !ec; first += o.batch) {
        const std::size_t n = std::min(o.batch, o.count - first);
        ec = grouped.deliver(first, n);
        if (!ec)
            ec = single.deliver(first, n);
    }
    std::error_code cleanup;
    fs::remove_all(base, cleanup);
    if (ec || grouped.delivered() != o.count || single.delivered() != o.count) {
        fmt::print(stderr, "delivery failed: {}\n", ec ? ec.message() : "messages missing");
        return 1;
    }

    fmt::print("{} small messages into {}\n", o.count, base.parent_path().string());
    fmt::print("group commit (batch {:>5}): {:>10.0f} deliveries/s\n", o.batch, grouped.rate());
    fmt::print("one commit per message:     {:>10.0f} deliveries/s\n", single.rate());
    fmt::print("ratio:                      {:>10.1f}x\n", grouped.rate() / single.rate());
    return 0;
}
