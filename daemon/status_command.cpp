#include "daemon/status_command.hpp"

#include "daemon/account_selection.hpp"
#include "daemon/exit_code.hpp"
#include "state/state_store.hpp"
#include "state/status_reader.hpp"
#include "util/json_text.hpp"

#include <cerrno>
#include <csignal>
#include <ctime>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ostream.h>

namespace postfach {
namespace {

// A state written by a process that is gone (killed -9 mid-pass) is no longer true.
bool writer_gone(const state::account_status& s) {
    return s.connection != state::connection_state::offline && s.pid > 0 &&
           ::kill(static_cast<pid_t>(s.pid), 0) != 0 && errno == ESRCH;
}

std::string utc(std::int64_t t, const char* format) {
    return fmt::format(fmt::runtime(format), fmt::gmtime(static_cast<std::time_t>(t)));
}

std::string table_time(std::int64_t t) {
    return t == 0 ? "never" : utc(t, "{:%Y-%m-%d %H:%M:%S} UTC");
}

std::string ago(std::int64_t t, std::int64_t now) {
    const auto s = std::max<std::int64_t>(0, now - t);
    if (s < 120)
        return fmt::format("{} s ago", s);
    if (s < 2 * 3600)
        return fmt::format("{} min ago", s / 60);
    if (s < 2 * 86400)
        return fmt::format("{} h ago", s / 3600);
    return fmt::format("{} days ago", s / 86400);
}

std::string json_time(std::int64_t t) {
    return t == 0 ? "null" : util::json_quote(utc(t, "{:%Y-%m-%dT%H:%M:%SZ}"));
}

std::string json_error(const std::string& text, std::int64_t at) {
    if (text.empty())
        return "null";
    return fmt::format("{{\"message\": {}, \"at\": {}}}", util::json_quote(text), json_time(at));
}

} // namespace

std::string format_status_table(const std::vector<account_status_view>& accounts,
                                std::int64_t now) {
    std::string out;
    for (const auto& a : accounts) {
        const auto& s = a.status;
        if (!a.known) {
            out += fmt::format("{}: never synced\n", a.name);
            continue;
        }
        out += fmt::format("{}: {}", a.name, to_string(s.connection));
        if (s.connection_since != 0)
            out += fmt::format(" since {}", table_time(s.connection_since));
        if (s.connection != state::connection_state::offline && s.pid > 0)
            out += fmt::format(" (pid {})", s.pid);
        out += '\n';
        out += fmt::format("  last pass   {}", table_time(s.last_success));
        if (s.last_success != 0)
            out += fmt::format(" ({})", ago(s.last_success, now));
        out += '\n';
        if (!s.last_error.empty())
            out += fmt::format("  last error  {}{}: {}\n", table_time(s.last_error_at),
                               s.last_error_at < s.last_success ? " (before the last pass)" : "",
                               s.last_error);
        if (s.folders.empty())
            continue;
        std::size_t width = 6; // "FOLDER"
        for (const auto& f : s.folders)
            width = std::max(width, f.name.size());
        out += fmt::format("  {:<{}}  {:>8}  {:>6}  {}\n", "FOLDER", width, "MESSAGES", "UNSEEN",
                           "LAST PASS");
        for (const auto& f : s.folders) {
            out += fmt::format("  {:<{}}  {:>8}  {:>6}  {}", f.name, width, f.messages, f.unseen,
                               table_time(f.last_success));
            if (!f.last_error.empty() && f.last_error_at >= f.last_success)
                out += fmt::format("  error at {}: {}", table_time(f.last_error_at), f.last_error);
            out += '\n';
        }
    }
    return out;
}

std::string format_status_json(const std::vector<account_status_view>& accounts) {
    std::string out = "{\"version\": 1, \"accounts\": [";
    const char* account_sep = "\n  ";
    for (const auto& a : accounts) {
        const auto& s = a.status;
        out += account_sep;
        account_sep = ",\n  ";
        out += fmt::format(
            "{{\"name\": {}, \"synced_before\": {}, \"connection\": {}, \"connection_since\": {}, "
            "\"pid\": {}, \"last_success\": {}, \"last_error\": {}, \"folders\": [",
            util::json_quote(a.name), a.known ? "true" : "false",
            util::json_quote(to_string(s.connection)), json_time(s.connection_since),
            s.connection != state::connection_state::offline && s.pid > 0 ? std::to_string(s.pid)
                                                                          : "null",
            json_time(s.last_success), json_error(s.last_error, s.last_error_at));
        const char* folder_sep = "\n    ";
        for (const auto& f : s.folders) {
            out += folder_sep;
            folder_sep = ",\n    ";
            out +=
                fmt::format("{{\"name\": {}, \"messages\": {}, \"unseen\": {}, "
                            "\"last_success\": {}, \"last_error\": {}}}",
                            util::json_quote(f.name), f.messages, f.unseen,
                            json_time(f.last_success), json_error(f.last_error, f.last_error_at));
        }
        out += s.folders.empty() ? "]}" : "\n  ]}";
    }
    out += accounts.empty() ? "]}\n" : "\n]}\n";
    return out;
}

int run_status(const config::configuration& cfg, const std::vector<std::string>& names, bool json,
               std::ostream& out, std::ostream& err) {
    std::vector<const config::account_config*> selected;
    if (!select_accounts(cfg, names, err, selected))
        return to_int(exit_code::usage_or_config);
    bool failed = false;
    std::vector<account_status_view> views;
    for (const auto* account : selected) {
        account_status_view view;
        view.name = account->name;
        const auto path = state::state_store::database_path(cfg.state_dir, account->name);
        std::string diagnostics;
        const auto ec = state::read_account_status(path, view.status, diagnostics);
        if (ec && ec != std::errc::no_such_file_or_directory) {
            fmt::print(err, "postfach: {}: cannot read the state {}: {}{}\n", account->name,
                       path.string(), ec.message(),
                       diagnostics.empty() ? "" : " (" + diagnostics + ")");
            failed = true;
            continue;
        }
        view.known = !ec;
        if (writer_gone(view.status))
            view.status.connection = state::connection_state::offline;
        views.push_back(std::move(view));
    }
    if (json)
        out << format_status_json(views);
    else
        out << format_status_table(views, std::time(nullptr));
    return failed ? to_int(exit_code::partial_failure) : to_int(exit_code::ok);
}

} // namespace postfach
