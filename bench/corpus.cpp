#include "bench/corpus.hpp"

#include "util/base64.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>
#include <utility>

namespace postfach::bench {

namespace {

// splitmix64: tiny, fast, and the same everywhere (std::mt19937's distributions are not).
class random_stream {
public:
    explicit random_stream(std::uint64_t seed)
        : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; } // [0, 1)
    std::size_t below(std::size_t n) {
        return static_cast<std::size_t>(unit() * static_cast<double>(n));
    }
    bool chance(double p) { return unit() < p; }
    // Log-uniform in [low, high): many small, few big, as mail sizes are.
    std::size_t log_uniform(std::size_t low, std::size_t high) {
        const double l = std::log(static_cast<double>(low));
        const double h = std::log(static_cast<double>(high));
        return static_cast<std::size_t>(std::exp(l + unit() * (h - l)));
    }

private:
    std::uint64_t state_;
};

constexpr std::array words{
    "the",      "meeting",  "report",   "budget",  "project", "we",       "should",   "review",
    "next",     "week",     "please",   "send",    "me",      "your",     "notes",    "on",
    "release",  "schedule", "thanks",   "for",     "quick",   "reply",    "attached", "draft",
    "version",  "team",     "agreed",   "that",    "server",  "backup",   "runs",     "every",
    "night",    "invoice",  "customer", "travel",  "plans",   "Zürich",   "Friday",   "lunch",
    "question", "about",    "the",      "numbers", "looks",   "good",     "to",       "ship",
    "and",      "I",        "will",     "follow",  "up",      "tomorrow", "with",     "details",
    "regards",  "update",   "status",   "is",      "green",   "again",    "after",    "fix"};

// Words until `bytes`, in lines of at most 72 characters; no line starts with "From ".
void append_text(std::string& out, random_stream& rng, std::size_t bytes) {
    const std::size_t end = out.size() + bytes;
    std::size_t line_start = out.size();
    while (out.size() < end) {
        const std::string_view w = words[rng.below(words.size())];
        if (out.size() - line_start + w.size() + 1 > 72) {
            out += rng.chance(0.15) ? "\r\n\r\n" : "\r\n";
            line_start = out.size();
        } else if (out.size() != line_start) {
            out += ' ';
        }
        out += w;
    }
    out += "\r\n";
}

void append_base64(std::string& out, random_stream& rng, std::size_t encoded_bytes) {
    std::string raw(encoded_bytes / 4 * 3, '\0');
    for (std::size_t i = 0; i + 8 <= raw.size(); i += 8) {
        const auto v = rng.next();
        for (int b = 0; b < 8; ++b)
            raw[i + static_cast<std::size_t>(b)] = static_cast<char>(v >> (8 * b));
    }
    const std::string encoded = util::base64_encode(raw);
    out.reserve(out.size() + encoded.size() + encoded.size() / 38 + 2);
    for (std::size_t i = 0; i < encoded.size(); i += 76) {
        out.append(encoded, i, 76);
        out += "\r\n";
    }
}

std::string headers(random_stream& rng, std::uint64_t seed, std::size_t index,
                    std::string_view subject, std::string_view content_type) {
    const unsigned day = 1 + static_cast<unsigned>(rng.below(28));
    const std::array months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto month = months[rng.below(months.size())];
    const unsigned hour = static_cast<unsigned>(rng.below(24));
    const unsigned minute = static_cast<unsigned>(rng.below(60));
    const unsigned sender = static_cast<unsigned>(rng.below(50));
    std::string dkim;
    append_base64(dkim, rng, 216);
    dkim.erase(std::remove(dkim.begin(), dkim.end(), '\r'), dkim.end());
    dkim.erase(std::remove(dkim.begin(), dkim.end(), '\n'), dkim.end());
    return fmt::format(
        "Return-Path: <sender{sender}@example.org>\r\n"
        "Delivered-To: alice@postfach.test\r\n"
        "Received: from mx.example.org (mx.example.org [192.0.2.{sender}])\r\n"
        "\tby mail.postfach.test (Postfix) with ESMTPS id 4X{index:08X}\r\n"
        "\tfor <alice@postfach.test>; {day} {month} 2026 {hour:02}:{minute:02}:00 +0000\r\n"
        "Received: from [10.0.0.{sender}] (unknown [198.51.100.{sender}])\r\n"
        "\tby mx.example.org (Postfix) with ESMTPSA id 7A{index:08X};\r\n"
        "\t{day} {month} 2026 {hour:02}:{minute:01}:58 +0000\r\n"
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=mail;\r\n"
        "\tt=17{index:08}; h=from:to:subject:date:message-id:mime-version;\r\n"
        "\tbh={bh};\r\n\tb={b1}\r\n\t {b2}\r\n"
        "From: Sender {sender} <sender{sender}@example.org>\r\n"
        "To: Alice <alice@postfach.test>\r\n"
        "Subject: {subject}\r\n"
        "Date: {day} {month} 2026 {hour:02}:{minute:02}:00 +0000\r\n"
        "Message-ID: <{seed}.{index}@bench.postfach.test>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: {content_type}\r\n",
        fmt::arg("sender", sender), fmt::arg("index", index), fmt::arg("day", day),
        fmt::arg("month", month), fmt::arg("hour", hour), fmt::arg("minute", minute),
        fmt::arg("bh", dkim.substr(0, 44)), fmt::arg("b1", dkim.substr(44, 70)),
        fmt::arg("b2", dkim.substr(114)), fmt::arg("subject", subject), fmt::arg("seed", seed),
        fmt::arg("content_type", content_type));
}

std::string subject_line(random_stream& rng, std::size_t index) {
    std::string s;
    const std::size_t n = 3 + rng.below(6);
    for (std::size_t i = 0; i < n; ++i) {
        if (i != 0)
            s += ' ';
        s += words[rng.below(words.size())];
    }
    s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return fmt::format("{} #{}", s, index);
}

std::string text_message(random_stream& rng, std::uint64_t seed, std::size_t index) {
    std::string m = headers(rng, seed, index, subject_line(rng, index),
                            "text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit");
    m += "\r\n";
    const std::size_t total = rng.log_uniform(1024, 12 * 1024);
    append_text(m, rng, total > m.size() ? total - m.size() : 200);
    return m;
}

std::string html_message(random_stream& rng, std::uint64_t seed, std::size_t index) {
    const std::string boundary = fmt::format("=_alt_{}_{}", seed, index);
    std::string m = headers(rng, seed, index, subject_line(rng, index),
                            fmt::format("multipart/alternative; boundary=\"{}\"", boundary));
    const std::size_t total = rng.log_uniform(8 * 1024, 60 * 1024);
    const std::size_t text_part = total / 4;
    m += fmt::format("\r\n--{}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n", boundary);
    append_text(m, rng, text_part);
    m += fmt::format("--{}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                     "<html><head><style>p {{ font-family: sans-serif; margin: 0 0 1em; }}"
                     "</style></head>\r\n<body>\r\n",
                     boundary);
    while (m.size() < total) {
        m += "<p style=\"color:#333333;font-size:14px\">\r\n";
        append_text(m, rng, 200 + rng.below(600));
        m += "</p>\r\n";
    }
    m += fmt::format("</body></html>\r\n--{}--\r\n", boundary);
    return m;
}

std::string attachment_message(random_stream& rng, std::uint64_t seed, std::size_t index,
                               std::size_t attachment_bytes) {
    const std::string boundary = fmt::format("=_mixed_{}_{}", seed, index);
    std::string m = headers(rng, seed, index, subject_line(rng, index),
                            fmt::format("multipart/mixed; boundary=\"{}\"", boundary));
    m += fmt::format("\r\n--{}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n", boundary);
    append_text(m, rng, 300 + rng.below(2000));
    m += fmt::format("--{}\r\nContent-Type: application/pdf; name=\"document-{}.pdf\"\r\n"
                     "Content-Disposition: attachment; filename=\"document-{}.pdf\"\r\n"
                     "Content-Transfer-Encoding: base64\r\n\r\n",
                     boundary, index, index);
    append_base64(m, rng, attachment_bytes);
    m += fmt::format("--{}--\r\n", boundary);
    return m;
}

} // namespace

const std::vector<std::string>& folder_names() {
    static const std::vector<std::string> names{
        "INBOX",          "Archive",  "Sent",     "Lists/dev", "Archive/2025", "Reisen/Zürich",
        "Lists/announce", "Projects", "Receipts", "Family",    "Notes",        "Travel"};
    return names;
}

bool in_change_slice(std::uint32_t uid) {
    return uid % 100 == 1;
}

corpus_generator::corpus_generator(corpus_options options)
    : options_(options) {
    if (options_.folders == 0 || options_.folders > folder_names().size())
        throw std::invalid_argument(
            fmt::format("the corpus has 1 to {} folders", folder_names().size()));
    next_uid_.assign(options_.folders, 1);
}

bool corpus_generator::next(corpus_message& message) {
    if (index_ == options_.messages)
        return false;
    const std::size_t index = index_++;
    random_stream rng(options_.seed * 0x100000001b3ULL + index);
    // INBOX holds 40%, the other folders share the rest.
    std::size_t folder = 0;
    if (options_.folders > 1 && !rng.chance(0.4))
        folder = 1 + rng.below(options_.folders - 1);
    message.folder = folder_names()[folder];
    message.uid = next_uid_[folder]++;

    const double kind = rng.unit();
    if (options_.profile == corpus_profile::mixed && kind < 0.10) {
        // Mostly documents under 1 MB, a fifth of them 1-4 MB.
        const std::size_t bytes = rng.chance(0.8) ? rng.log_uniform(50 * 1024, 1024 * 1024)
                                                  : rng.log_uniform(1024 * 1024, 4 * 1024 * 1024);
        message.rfc822 = attachment_message(rng, options_.seed, index, bytes);
    } else if (kind < 0.30) {
        message.rfc822 = html_message(rng, options_.seed, index);
    } else {
        message.rfc822 = text_message(rng, options_.seed, index);
    }

    message.flags.clear();
    if (rng.chance(0.7))
        message.flags.emplace_back("\\Seen");
    if (rng.chance(0.08))
        message.flags.emplace_back("\\Answered");
    if (rng.chance(0.03) && !in_change_slice(message.uid))
        message.flags.emplace_back("\\Flagged");
    return true;
}

std::string make_big_message(std::size_t bytes, std::uint64_t seed) {
    random_stream rng(seed ^ 0xb16b16b16ULL);
    constexpr std::size_t index = 1'000'000'000; // a Message-ID no corpus message has
    return attachment_message(rng, seed, index, bytes);
}

} // namespace postfach::bench
