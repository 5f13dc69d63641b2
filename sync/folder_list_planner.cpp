#include "sync/folder_list_planner.hpp"

#include <algorithm>
#include <set>

namespace postfach::sync {

namespace {

constexpr int index(side s) {
    return static_cast<int>(s);
}

// A rename must carry at least this share of the old folder's messages.
constexpr double rename_threshold = 0.5;

} // namespace

folder_list_plan plan_folder_list(const std::vector<std::string>& known,
                                  const std::array<std::vector<std::string>, 2>& listed,
                                  const plan_options& options, const rename_overlap& overlap) {
    folder_list_plan plan;
    const std::set<std::string> known_set(known.begin(), known.end());
    const std::array<std::set<std::string>, 2> on{
        std::set<std::string>(listed[0].begin(), listed[0].end()),
        std::set<std::string>(listed[1].begin(), listed[1].end())};
    std::set<std::string> all(known_set);
    for (const auto& side_set : on)
        all.insert(side_set.begin(), side_set.end());

    auto present = [&](const std::string& name, side s) {
        return on[index(s)].contains(name);
    };
    // New folders on each side, which may be the new names of renamed ones.
    std::array<std::set<std::string>, 2> fresh;
    for (const auto& name : all)
        for (side s : {side::remote, side::local})
            if (!known_set.contains(name) && present(name, s) && !present(name, other(s)))
                fresh[index(s)].insert(name);

    std::set<std::string> handled;
    for (const auto& name : known) {
        const bool remote = present(name, side::remote);
        const bool local = present(name, side::local);
        if (remote && local) {
            plan.message_folders.push_back(name);
            continue;
        }
        if (!remote && !local) {
            plan.actions.push_back({folder_action::kind::forget, side::local, name, {}});
            continue;
        }
        const side gone = remote ? side::local : side::remote;
        const side kept = other(gone);
        // Renamed on `gone`? Its messages are in a new folder there.
        std::string best;
        double best_share = rename_threshold;
        for (const auto& candidate : fresh[index(gone)]) {
            if (handled.contains(candidate))
                continue;
            const double share = overlap(name, candidate, gone);
            if (share >= best_share) {
                best_share = share;
                best = candidate;
            }
        }
        if (!best.empty() && options.may_change[index(kept)]) {
            handled.insert(best);
            plan.actions.push_back({folder_action::kind::rename, kept, name, best});
            plan.message_folders.push_back(best);
            continue;
        }
        if (options.may_change[index(kept)] && options.may_delete[index(kept)]) {
            plan.deletions.push_back({name, gone});
            plan.message_folders.push_back(name);
        }
        // Otherwise the folder stays known and kept on one side; it is not created again.
    }
    for (side s : {side::remote, side::local}) {
        for (const auto& name : fresh[index(s)]) {
            if (handled.contains(name))
                continue;
            if (!options.may_change[index(other(s))])
                continue; // e.g. pull: a local-only folder stays local
            plan.actions.push_back({folder_action::kind::create, other(s), name, {}});
            plan.actions.push_back({folder_action::kind::remember, side::local, name, {}});
            plan.message_folders.push_back(name);
        }
    }
    // Unknown folders already on both sides (a first pass): remember and sync them.
    for (const auto& name : all)
        if (!known_set.contains(name) && present(name, side::remote) &&
            present(name, side::local)) {
            plan.actions.push_back({folder_action::kind::remember, side::local, name, {}});
            plan.message_folders.push_back(name);
        }
    std::sort(plan.message_folders.begin(), plan.message_folders.end());
    return plan;
}

} // namespace postfach::sync
