#include "util/logging.hpp"

#include "util/ascii.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

namespace postfach::logging {

namespace {

// %* in a pattern: the journald priority prefix of the message's level.
class journal_priority_flag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        const auto prefix = journal_prefix(static_cast<int>(msg.level));
        dest.append(prefix.data(), prefix.data() + prefix.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<journal_priority_flag>();
    }
};

bool stderr_is_journal_stream() {
    const char* value = std::getenv("JOURNAL_STREAM");
    if (value == nullptr)
        return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(value, "%llu:%llu", &dev, &ino) != 2)
        return false;
    struct stat st {};
    if (::fstat(STDERR_FILENO, &st) != 0)
        return false;
    return st.st_dev == dev && st.st_ino == ino;
}

// Splits off the next space-separated word of `rest`.
std::string_view next_word(std::string_view& rest) {
    const auto start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) {
        rest = {};
        return {};
    }
    rest.remove_prefix(start);
    const auto end = rest.find(' ');
    auto word = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    return word;
}

} // namespace

output_format detect_output_format() {
    if (stderr_is_journal_stream())
        return output_format::journal;
    if (::isatty(STDERR_FILENO) != 0)
        return output_format::terminal;
    return output_format::plain;
}

std::string_view journal_prefix(int spdlog_level) {
    switch (static_cast<spdlog::level::level_enum>(spdlog_level)) {
    case spdlog::level::critical:
        return "<2>";
    case spdlog::level::err:
        return "<3>";
    case spdlog::level::warn:
        return "<4>";
    case spdlog::level::info:
        return "<6>";
    case spdlog::level::debug:
    case spdlog::level::trace:
        return "<7>";
    default:
        return "<6>";
    }
}

void setup(verbosity level, output_format format) {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(
        format == output_format::terminal ? spdlog::color_mode::automatic
                                          : spdlog::color_mode::never);
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    switch (format) {
    case output_format::terminal:
        formatter->set_pattern("%H:%M:%S %^%-5l%$ %v");
        break;
    case output_format::journal:
        // journald adds its own timestamps.
        formatter->add_flag<journal_priority_flag>('*').set_pattern("%*%v");
        break;
    case output_format::plain:
        formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
        break;
    }
    sink->set_formatter(std::move(formatter));
    auto logger = std::make_shared<spdlog::logger>("postfach", std::move(sink));
    switch (level) {
    case verbosity::quiet:
        logger->set_level(spdlog::level::warn);
        break;
    case verbosity::normal:
        logger->set_level(spdlog::level::info);
        break;
    case verbosity::verbose:
        logger->set_level(spdlog::level::trace);
        break;
    }
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(std::move(logger));
}

std::string redact_credentials(std::string_view line) {
    std::string_view rest = line;
    auto first = next_word(rest);
    const auto first_upper = util::ascii_upper(first);
    // POP3 commands carry no tag.
    if (first_upper == "PASS")
        return std::string(line.substr(0, line.size() - rest.size())) + " ***";
    if (first_upper == "APOP" || first_upper == "AUTH") {
        std::string_view after = rest;
        auto second = next_word(after);
        if (second.empty() || after.find_first_not_of(' ') == std::string_view::npos)
            return std::string(line);
        return std::string(line.substr(0, line.size() - after.size())) + " ***";
    }
    // IMAP: tag, command, arguments.
    auto command = util::ascii_upper(next_word(rest));
    if (command == "LOGIN") {
        std::string_view after = rest;
        next_word(after); // user name (a quoted user name containing spaces is cut by the rule
                          // below, which redacts everything after the first word: safe side)
        if (after.find_first_not_of(' ') == std::string_view::npos)
            return std::string(line);
        return std::string(line.substr(0, line.size() - after.size())) + " ***";
    }
    if (command == "AUTHENTICATE") {
        std::string_view after = rest;
        next_word(after); // mechanism
        if (after.find_first_not_of(' ') == std::string_view::npos)
            return std::string(line);
        return std::string(line.substr(0, line.size() - after.size())) + " ***";
    }
    return std::string(line);
}

void trace_protocol(std::string_view account, direction dir, std::string_view line,
                    bool sensitive) {
    if (!spdlog::should_log(spdlog::level::trace))
        return;
    const char* arrow = dir == direction::client_to_server ? "C:" : "S:";
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
        line.remove_suffix(1);
    if (sensitive) {
        spdlog::trace("{} {} *** ({} bytes, redacted)", account, arrow, line.size());
        return;
    }
    if (dir == direction::client_to_server)
        spdlog::trace("{} {} {}", account, arrow, redact_credentials(line));
    else
        spdlog::trace("{} {} {}", account, arrow, line);
}

} // namespace postfach::logging
