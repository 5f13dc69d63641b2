#include "sync/pass_report.hpp"

#include <fmt/format.h>

namespace postfach::sync {

std::string flag_letters(flag_bits flags) {
    static constexpr char letters[] = {'D', 'F', 'P', 'R', 'S', 'T'};
    std::string out;
    for (int bit = 0; bit < 6; ++bit)
        if ((flags & (1U << bit)) != 0)
            out.push_back(letters[bit]);
    return out;
}

namespace {

// "UID 17" on the server, the base name locally.
std::string message_name(side s, const std::optional<std::string>& id) {
    if (!id)
        return "?";
    return s == side::remote ? "UID " + *id : *id;
}

std::string flags_suffix(flag_bits flags) {
    return flags == 0 ? std::string() : fmt::format(" ({})", flag_letters(flags));
}

const char* where(side s) {
    return s == side::remote ? "on the server" : "locally";
}

} // namespace

std::vector<std::string> describe_plan(const folder_plan& plan) {
    std::vector<std::string> lines;
    for (const auto& a : plan.actions) {
        const side t = a.target;
        const side src = other(t);
        switch (a.kind) {
        case action_kind::copy:
            lines.push_back(fmt::format("{}: {} {}{}", plan.folder,
                                        t == side::local ? "fetch" : "upload",
                                        message_name(src, a.id(src)), flags_suffix(a.flags)));
            break;
        case action_kind::store_flags: {
            std::string change;
            if (a.add != 0)
                change += "+" + flag_letters(a.add);
            if (a.remove != 0)
                change += (change.empty() ? "-" : " -") + flag_letters(a.remove);
            lines.push_back(fmt::format("{}: set flags {} of {}: {}", plan.folder, where(t),
                                        message_name(t, a.id(t)), change));
            break;
        }
        case action_kind::remove:
            lines.push_back(
                fmt::format("{}: delete {} {}", plan.folder, where(t), message_name(t, a.id(t))));
            break;
        case action_kind::move:
            lines.push_back(fmt::format("{}: move {} {} here from {}", plan.folder, where(t),
                                        message_name(t, a.id(t)), a.from_folder));
            break;
        case action_kind::link:
            lines.push_back(fmt::format("{}: pair {} with {} (same message, no transfer)",
                                        plan.folder, message_name(side::remote, a.id(side::remote)),
                                        message_name(side::local, a.id(side::local))));
            break;
        case action_kind::forget:
        case action_kind::record:
            break; // bookkeeping only
        }
    }
    for (const auto& trip : plan.guard_trips)
        lines.push_back(fmt::format(
            "{}: deletion guard: holding back {} deletion{} {} ({}); nothing is deleted in this "
            "folder; run with --force if this is intended",
            plan.folder, trip.deletions, trip.deletions == 1 ? "" : "s", where(trip.target),
            trip.side_looks_empty
                ? fmt::format("the {} side looks empty", to_string(other(trip.target)))
                : fmt::format("of {} message{}", trip.messages, trip.messages == 1 ? "" : "s")));
    return lines;
}

std::string summary_line(const std::string& account, const pass_result& r,
                         std::chrono::milliseconds elapsed) {
    constexpr int up = 0;   // side::remote
    constexpr int down = 1; // side::local
    return fmt::format("{}: fetched {} ({:.1f} MB), uploaded {}, flags ↑{} ↓{}, deleted ↑{} ↓{}, "
                       "moved {}, {} folder{}, {:.1f} s",
                       account, r.copied[down], static_cast<double>(r.bytes_copied) / 1e6,
                       r.copied[up], r.flagged[up], r.flagged[down], r.removed[up], r.removed[down],
                       r.moved[up] + r.moved[down], r.folders.size(),
                       r.folders.size() == 1 ? "" : "s",
                       static_cast<double>(elapsed.count()) / 1000.0);
}

} // namespace postfach::sync
