#include "sync/folder_planner.hpp"

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace postfach::sync {

const char* to_string(side s) {
    return s == side::remote ? "remote" : "local";
}

std::size_t folder_plan::count(action_kind kind) const {
    return static_cast<std::size_t>(std::count_if(actions.begin(), actions.end(),
                                                  [&](const action& a) { return a.kind == kind; }));
}

std::size_t folder_plan::count(action_kind kind, side target) const {
    return static_cast<std::size_t>(
        std::count_if(actions.begin(), actions.end(),
                      [&](const action& a) { return a.kind == kind && a.target == target; }));
}

namespace {

constexpr std::array<side, 2> both_sides{side::remote, side::local};
constexpr int index(side s) {
    return static_cast<int>(s);
}

// The flags each side ends with, and the flags to record, once `wanted` is applied where the
// options allow. Bits where the sides still disagree (a side may not be changed) are recorded
// with the unchangeable side's value: its later changes then still count as changes, and the
// other side's change is neither lost nor pushed back.
struct flag_outcome {
    std::array<flag_bits, 2> final{};
    flag_bits recorded = 0;
};

flag_outcome settle_flags(const std::array<flag_bits, 2>& current, flag_bits wanted, flag_bits base,
                          const plan_options& options) {
    flag_outcome out;
    for (side s : both_sides)
        out.final[index(s)] = options.may_change[index(s)] ? wanted : current[index(s)];
    const flag_bits remote = out.final[index(side::remote)];
    const flag_bits local = out.final[index(side::local)];
    const flag_bits disagree = static_cast<flag_bits>(remote ^ local);
    flag_bits fallback = base;
    if (!options.may_change[index(side::remote)] && options.may_change[index(side::local)])
        fallback = remote;
    else if (!options.may_change[index(side::local)] && options.may_change[index(side::remote)])
        fallback = local;
    out.recorded = static_cast<flag_bits>((remote & ~disagree) | (fallback & disagree));
    return out;
}

class planner {
public:
    planner(std::string folder, const std::vector<synced_message>& records,
            const std::array<std::vector<scanned_message>, 2>& scans, const plan_options& options)
        : records_(records)
        , scans_(scans)
        , options_(options) {
        plan_.folder = std::move(folder);
        for (side s : both_sides) {
            const auto& scan = scans_[index(s)];
            by_id_[index(s)].reserve(scan.size());
            first_[index(s)].resize(scan.size());
            claimed_[index(s)].assign(scan.size(), false);
            for (std::size_t k = 0; k < scan.size(); ++k)
                first_[index(s)][k] =
                    position(s, by_id_[index(s)].emplace(scan[k].id, &scan[k]).first->second);
        }
    }

    folder_plan run() {
        for (std::size_t i = 0; i < records_.size(); ++i)
            plan_record(i);
        plan_half_gone();
        plan_new_messages();
        apply_deletion_guard();
        plan_.actions.shrink_to_fit(); // a plan is kept until the pass ends
        return std::move(plan_);
    }

private:
    const std::vector<synced_message>& records_;
    const std::array<std::vector<scanned_message>, 2>& scans_;
    const plan_options& options_;
    // Keys view the ids of the scans, which outlive the planner: no second copy of every id.
    std::array<std::unordered_map<std::string_view, const scanned_message*>, 2> by_id_;
    // Per side and scanned message: whether a record or a new id claimed its id. By position
    // in the scan (an id's first message stands for all with that id): no set of ids.
    std::array<std::vector<bool>, 2> claimed_;
    std::array<std::vector<std::size_t>, 2> first_; // the position of the id's first message

    std::size_t position(side s, const scanned_message* m) const {
        return static_cast<std::size_t>(m - scans_[index(s)].data());
    }
    void claim(side s, const scanned_message* m) {
        claimed_[index(s)][first_[index(s)][position(s, m)]] = true;
    }
    bool claimed(side s, const scanned_message& m) const {
        return claimed_[index(s)][first_[index(s)][position(s, &m)]];
    }
    // Records whose message one side no longer has under its id: decided once every record
    // claimed its messages (plan_half_gone).
    std::vector<std::pair<std::size_t, side>> half_gone_; // record, the side without it
    folder_plan plan_;

    const scanned_message* find(side s, const std::optional<std::string>& id) const {
        if (!id)
            return nullptr;
        auto it = by_id_[index(s)].find(*id);
        return it == by_id_[index(s)].end() ? nullptr : it->second;
    }

    void add_flag_actions(const std::array<flag_bits, 2>& current, flag_bits wanted, flag_bits base,
                          const std::array<std::optional<std::string>, 2>& ids,
                          const std::string& identity, std::optional<std::size_t> record,
                          action_kind record_kind, std::optional<flag_bits> previously_recorded) {
        const auto outcome = settle_flags(current, wanted, base, options_);
        bool stored = false;
        for (side s : both_sides) {
            const flag_bits need =
                static_cast<flag_bits>(outcome.final[index(s)] ^ current[index(s)]);
            if (need == 0)
                continue;
            action a;
            a.kind = action_kind::store_flags;
            a.target = s;
            a.ids = ids;
            a.flags = outcome.recorded;
            a.add = static_cast<flag_bits>(need & outcome.final[index(s)]);
            a.remove = static_cast<flag_bits>(need & ~outcome.final[index(s)]);
            a.scanned = current[index(s)];
            a.identity = identity;
            a.record_index = record;
            plan_.actions.push_back(std::move(a));
            stored = true;
        }
        // A link must always be recorded; a known pair only when its record changes.
        if (record_kind == action_kind::link ||
            (!stored && outcome.recorded != previously_recorded)) { // nullopt: always
            action a;
            a.kind = record_kind;
            a.target = side::local;
            a.ids = ids;
            a.flags = outcome.recorded;
            a.identity = identity;
            a.record_index = record;
            plan_.actions.push_back(std::move(a));
        }
    }

    void plan_record(std::size_t i) {
        const auto& record = records_[i];
        std::array<const scanned_message*, 2> present{};
        for (side s : both_sides) {
            present[index(s)] = find(s, record.id(s));
            if (present[index(s)] != nullptr)
                claim(s, present[index(s)]);
        }
        const auto* remote = present[index(side::remote)];
        const auto* local = present[index(side::local)];

        if (remote != nullptr && local != nullptr) {
            plan_pair(i, *remote, *local);
            return;
        }
        if (remote == nullptr && local == nullptr) {
            push_record_action(action_kind::forget, side::local, record, i);
            return;
        }
        const side gone = remote != nullptr ? side::local : side::remote;
        if (!record.id(gone))
            return; // a tombstone: deliberately kept on one side only
        half_gone_.emplace_back(i, gone);
    }

    // Both copies of record i are there: three-way flags. The ids recorded are the messages'
    // (a renumbered message gets its new id recorded).
    void plan_pair(std::size_t i, const scanned_message& remote, const scanned_message& local) {
        const auto& record = records_[i];
        const std::array<flag_bits, 2> current{remote.flags, local.flags};
        const flag_bits changed_remote = static_cast<flag_bits>(remote.flags ^ record.flags);
        const flag_bits changed_local = static_cast<flag_bits>(local.flags ^ record.flags);
        const flag_bits unchanged = static_cast<flag_bits>(~(changed_remote | changed_local));
        const flag_bits wanted =
            static_cast<flag_bits>((remote.flags & changed_remote) | (local.flags & changed_local) |
                                   (record.flags & unchanged));
        // A new id must be recorded even when the flags stay. (Compared before the ids are
        // copied: almost every pair keeps its ids.)
        if (record.id(side::remote) == remote.id && record.id(side::local) == local.id) {
            add_flag_actions(current, wanted, record.flags, record.ids, record.identity, i,
                             action_kind::record, record.flags);
            return;
        }
        const std::array<std::optional<std::string>, 2> ids{remote.id, local.id};
        add_flag_actions(current, wanted, record.flags, ids, record.identity, i,
                         action_kind::record, std::nullopt);
    }

    // A record's message gone from one side under its id: when a message new on that side has
    // the record's identity, it is the same message under a new id (a server that renumbered
    // its UIDs without a new UIDVALIDITY, a message moved out and back): the pair is kept with
    // the new id, nothing is transferred or deleted. Otherwise it was deleted there.
    void plan_half_gone() {
        std::array<std::unordered_multimap<std::string_view, const scanned_message*>, 2> fresh;
        for (side s : both_sides)
            for (const auto& m : scans_[index(s)])
                if (!m.identity.empty() && !claimed(s, m))
                    fresh[index(s)].emplace(m.identity, &m);
        for (const auto& [i, gone] : half_gone_) {
            const auto& record = records_[i];
            const auto* kept = find(other(gone), record.id(other(gone)));
            auto& candidates = fresh[index(gone)];
            const auto it =
                record.identity.empty() ? candidates.end() : candidates.find(record.identity);
            if (it != candidates.end()) {
                const auto* again = it->second;
                candidates.erase(it);
                claim(gone, again);
                if (gone == side::remote)
                    plan_pair(i, *again, *kept);
                else
                    plan_pair(i, *kept, *again);
                continue;
            }
            plan_deleted_on(i, gone, *kept);
        }
    }

    // Record i's message was deleted on `gone` and is still on the other side as `message`.
    void plan_deleted_on(std::size_t i, side gone, const scanned_message& message) {
        const auto& record = records_[i];
        const side kept = other(gone);
        if (message.flags != record.flags && options_.may_change[index(gone)]) {
            // Deleted on one side, changed on the other: the change wins; copy it back.
            action a;
            a.kind = action_kind::copy;
            a.target = gone;
            a.ids[index(kept)] = message.id;
            a.flags = message.flags;
            a.identity = record.identity;
            a.record_index = i;
            plan_.actions.push_back(std::move(a));
            return;
        }
        if (options_.may_change[index(kept)] && options_.may_delete[index(kept)]) {
            push_record_action(action_kind::remove, kept, record, i);
            return;
        }
        // The deletion may not be propagated: remember it, so the kept copy is not copied back.
        push_record_action(action_kind::record, kept, record, i).ids[index(gone)].reset();
    }

    // An action on record i, carrying its ids, flags and identity.
    action& push_record_action(action_kind kind, side target, const synced_message& record,
                               std::size_t i) {
        action a;
        a.kind = kind;
        a.target = target;
        a.ids = record.ids;
        a.flags = record.flags;
        a.identity = record.identity;
        a.record_index = i;
        return plan_.actions.emplace_back(std::move(a));
    }

    void plan_new_messages() {
        std::array<std::vector<const scanned_message*>, 2> fresh;
        for (side s : both_sides)
            for (const auto& m : scans_[index(s)])
                if (!claimed(s, m))
                    fresh[index(s)].push_back(&m);

        // The same message new on both sides (a first sync over existing mail, a changed
        // UIDVALIDITY, a switch from POP3): link, do not transfer. Equal identities pair up in
        // scan order.
        std::map<std::string, std::vector<const scanned_message*>> local_by_identity;
        for (const auto* m : fresh[index(side::local)])
            if (!m->identity.empty())
                local_by_identity[m->identity].push_back(m);
        std::unordered_set<const scanned_message*> linked;
        for (const auto* remote : fresh[index(side::remote)]) {
            if (remote->identity.empty())
                continue;
            auto it = local_by_identity.find(remote->identity);
            if (it == local_by_identity.end() || it->second.empty())
                continue;
            const auto* local = it->second.front();
            it->second.erase(it->second.begin());
            linked.insert(remote);
            linked.insert(local);
            const std::array<flag_bits, 2> current{remote->flags, local->flags};
            const flag_bits wanted = static_cast<flag_bits>(remote->flags | local->flags);
            std::array<std::optional<std::string>, 2> ids{remote->id, local->id};
            add_flag_actions(current, wanted, /*base=*/0, ids, remote->identity, std::nullopt,
                             action_kind::link, 0);
        }

        for (side s : both_sides) {
            const side target = other(s);
            if (!options_.may_change[index(target)])
                continue;
            for (const auto* m : fresh[index(s)]) {
                if (linked.contains(m))
                    continue;
                action a;
                a.kind = action_kind::copy;
                a.target = target;
                a.ids[index(s)] = m->id;
                a.flags = m->flags;
                a.identity = m->identity;
                plan_.actions.push_back(std::move(a));
            }
        }
    }

    void apply_deletion_guard() {
        if (options_.force)
            return;
        for (side target : both_sides) {
            const std::size_t deletions = plan_.count(action_kind::remove, target);
            if (deletions == 0)
                continue;
            const side source = other(target);
            std::size_t had_target = 0;
            for (const auto& r : records_)
                had_target += r.id(target) ? 1 : 0;
            const bool source_looks_empty = options_.side_looks_empty[index(source)];
            const bool too_many =
                deletions > options_.guard_minimum &&
                static_cast<double>(deletions) >
                    options_.max_delete_fraction * static_cast<double>(had_target);
            if (!source_looks_empty && !too_many)
                continue;
            std::erase_if(plan_.actions, [&](const action& a) {
                return a.kind == action_kind::remove && a.target == target;
            });
            plan_.guard_trips.push_back({target, deletions, had_target, source_looks_empty});
        }
    }
};

} // namespace

folder_plan plan_folder(std::string folder, const std::vector<synced_message>& records,
                        const std::array<std::vector<scanned_message>, 2>& scans,
                        const plan_options& options) {
    return planner(std::move(folder), records, scans, options).run();
}

void detect_moves(std::vector<folder_plan>& plans) {
    // Copies waiting for a match, by (target side, identity): folder index and action index.
    struct place {
        std::size_t plan;
        std::size_t action;
    };
    std::map<std::pair<side, std::string>, std::vector<place>> copies;
    for (std::size_t p = 0; p < plans.size(); ++p)
        for (std::size_t a = 0; a < plans[p].actions.size(); ++a) {
            const auto& act = plans[p].actions[a];
            if (act.kind == action_kind::copy && !act.record_index && !act.identity.empty())
                copies[{act.target, act.identity}].push_back({p, a});
        }
    std::vector<std::vector<bool>> dropped(plans.size());
    for (std::size_t p = 0; p < plans.size(); ++p)
        dropped[p].assign(plans[p].actions.size(), false);

    for (std::size_t p = 0; p < plans.size(); ++p) {
        for (std::size_t a = 0; a < plans[p].actions.size(); ++a) {
            const auto& removal = plans[p].actions[a];
            if (removal.kind != action_kind::remove || removal.identity.empty())
                continue;
            auto it = copies.find({removal.target, removal.identity});
            if (it == copies.end())
                continue;
            auto& candidates = it->second;
            auto match = std::find_if(candidates.begin(), candidates.end(),
                                      [&](const place& c) { return c.plan != p; });
            if (match == candidates.end())
                continue;
            auto& copy = plans[match->plan].actions[match->action];
            // The removal's message moves into the copy's folder on the removal's side; the
            // copy's source is the message's new id on the other side.
            action move;
            move.kind = action_kind::move;
            move.target = removal.target;
            move.ids[index(removal.target)] = removal.id(removal.target);
            move.ids[index(other(removal.target))] = copy.id(other(removal.target));
            // The copy's side may have changed the flags since the last pass (a reader flags
            // the message it just moved); the moved copy still has the synced ones, since a
            // changed copy would have been copied back, not removed. It gets the change now.
            move.add = static_cast<flag_bits>(copy.flags & ~removal.flags);
            move.remove = static_cast<flag_bits>(removal.flags & ~copy.flags);
            move.flags = copy.flags;
            move.identity = removal.identity;
            move.record_index = removal.record_index;
            move.from_folder = plans[p].folder;
            copy = std::move(move);
            dropped[p][a] = true;
            candidates.erase(match);
        }
    }
    for (std::size_t p = 0; p < plans.size(); ++p) {
        std::size_t i = 0;
        std::erase_if(plans[p].actions, [&](const action&) { return dropped[p][i++]; });
    }
}

} // namespace postfach::sync
