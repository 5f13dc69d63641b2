// Micro-benchmark: Maildir deliveries per second with group commit (one batch commit per
// --batch messages: every file fsynced, then renamed, then each directory fsynced once) versus
// one commit per message (file fsync + rename + directory fsync for every message).
// Not a test: it prints figures. Run on the file system you care about (--dir); tmpfs makes
// fsync free and the comparison meaningless.
//
//   maildir_delivery_bench [--count N] [--batch N] [--dir DIR]

#include "maildir/delivery.hpp"
#include "maildir/folder_layout.hpp"

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

// Delivers `count` messages into a fresh folder, committing every `batch` messages.
// Returns deliveries per second, or a negative value on error.
double run(const fs::path& root, std::size_t count, std::size_t batch_size) {
    maildir::folder_layout layout(root, maildir::layout_kind::maildir_plus_plus);
    if (auto ec = layout.create_folder("INBOX")) {
        fmt::print(stderr, "create {}: {}\n", root.string(), ec.message());
        return -1;
    }
    maildir::unique_name_generator names;
    maildir::delivery_batch batch;
    std::vector<maildir::delivered_message> done;
    done.reserve(count);
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < count; ++i) {
        maildir::delivery d;
        maildir::delivery_options o;
        if (i % 3 == 0)
            o.flags.set(maildir::flag::seen); // a mix of new/ and cur/
        std::error_code ec = maildir::delivery::open(root, o, names, d);
        if (!ec)
            ec = d.append(small_message(i));
        if (!ec)
            ec = d.finish();
        if (!ec)
            ec = batch.add(std::move(d));
        if (!ec && (batch.size() == batch_size || i + 1 == count))
            ec = batch.commit(done);
        if (ec) {
            fmt::print(stderr, "delivery {}: {}\n", i, ec.message());
            return -1;
        }
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    if (done.size() != count) {
        fmt::print(stderr, "only {} of {} delivered\n", done.size(), count);
        return -1;
    }
    return static_cast<double>(count) / elapsed.count();
}

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

    const double grouped = run(base / "grouped", o.count, o.batch);
    const double single = grouped < 0 ? -1 : run(base / "single", o.count, 1);
    std::error_code ec;
    fs::remove_all(base, ec);
    if (grouped < 0 || single < 0)
        return 1;

    fmt::print("{} small messages into {}\n", o.count, base.parent_path().string());
    fmt::print("group commit (batch {:>5}): {:>10.0f} deliveries/s\n", o.batch, grouped);
    fmt::print("one commit per message:     {:>10.0f} deliveries/s\n", single);
    fmt::print("ratio:                      {:>10.1f}x\n", grouped / single);
    return 0;
}
