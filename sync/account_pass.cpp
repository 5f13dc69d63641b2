#include "sync/account_pass.hpp"

#include <algorithm>
#include <optional>
#include <unordered_set>

namespace postfach::sync {

bool pass_result::guard_tripped() const {
    return std::any_of(folders.begin(), folders.end(),
                       [](const folder_outcome& f) { return !f.plan.guard_trips.empty(); });
}

bool pass_result::any_error() const {
    return std::any_of(folders.begin(), folders.end(),
                       [](const folder_outcome& f) { return static_cast<bool>(f.error); });
}

namespace {

constexpr std::array<side, 2> both_sides{side::remote, side::local};
constexpr int index(side s) {
    return static_cast<int>(s);
}

// Counts bytes while passing them on, for the statistics.
class counting_sink final : public message_sink {
public:
    explicit counting_sink(message_sink& next)
        : next_(next) {}
    task<std::error_code> write(std::string_view chunk) override {
        bytes += chunk.size();
        co_return co_await next_.write(chunk);
    }
    std::size_t bytes = 0;

private:
    message_sink& next_;
};

struct folder_input {
    std::string name;
    std::vector<synced_message> records;
    std::array<std::vector<scanned_message>, 2> scans;
    std::error_code error;
    std::string error_detail;
};

// A state change waiting for the stores' next commit.
struct pending_change {
    std::string folder;
    std::optional<synced_message> previous; // the record replaced, if any
    std::optional<synced_message> record;   // the new record; none: erase `previous`
};

class pass {
public:
    pass(std::array<store*, 2> stores, sync_state& state, const pass_options& options)
        : stores_(stores)
        , state_(state)
        , options_(options) {}

    task<pass_result> run(const std::vector<std::string>& folders) {
        std::vector<folder_input> inputs;
        co_await ensure_folders(folders);
        for (const auto& name : folders)
            inputs.push_back(co_await read_folder(name));

        // The guard's "a whole side looks empty" is judged over the whole account.
        plan_options plan_opts = options_.plan;
        for (side s : both_sides) {
            std::size_t scanned = 0, remembered = 0;
            for (const auto& in : inputs) {
                scanned += in.scans[index(s)].size();
                for (const auto& r : in.records)
                    remembered += r.id(s) ? 1 : 0;
            }
            plan_opts.side_looks_empty[index(s)] = scanned == 0 && remembered > 0;
        }

        std::vector<folder_plan> plans;
        for (const auto& in : inputs)
            plans.push_back(in.error ? folder_plan{in.name, {}, {}}
                                     : plan_folder(in.name, in.records, in.scans, plan_opts));
        detect_moves(plans);

        for (std::size_t i = 0; i < inputs.size(); ++i) {
            folder_outcome outcome{inputs[i].name, std::move(plans[i]), inputs[i].error,
                                   inputs[i].error_detail};
            if (!options_.dry_run && !outcome.error)
                co_await apply(inputs, outcome);
            result_.folders.push_back(std::move(outcome));
        }
        if (!options_.dry_run)
            co_await flush(nullptr);
        co_return std::move(result_);
    }

private:
    std::array<store*, 2> stores_;
    sync_state& state_;
    const pass_options& options_;
    pass_result result_;
    std::vector<pending_change> pending_;
    std::size_t pending_writes_ = 0;

    store& at(side s) { return *stores_[index(s)]; }

    task<void> ensure_folders(const std::vector<std::string>& folders) {
        for (side s : both_sides) {
            std::vector<folder_info> existing;
            if (co_await at(s).list_folders(existing))
                co_return; // scanning the folders will report the error per folder
            std::unordered_set<std::string> names;
            for (const auto& f : existing)
                names.insert(f.name);
            if (options_.dry_run || !options_.plan.may_change[index(s)])
                continue;
            for (const auto& f : folders)
                if (!names.contains(f))
                    co_await at(s).create_folder(f); // a failure shows up in the scan
        }
    }

    task<folder_input> read_folder(const std::string& name) {
        folder_input in;
        in.name = name;
        if (auto ec = state_.load(name, in.records)) {
            in.error = ec;
            in.error_detail = "reading the sync state";
            co_return in;
        }
        for (side s : both_sides) {
            if (auto ec = co_await at(s).scan(name, in.scans[index(s)])) {
                in.error = ec;
                in.error_detail = std::string("scanning the ") + to_string(s) + " side";
                co_return in;
            }
        }
        // Identities are needed only for messages the state cannot pair.
        for (side s : both_sides) {
            std::unordered_set<std::string> known;
            for (const auto& r : in.records)
                if (r.id(s))
                    known.insert(*r.id(s));
            std::vector<scanned_message*> unknown;
            for (auto& m : in.scans[index(s)])
                if (!known.contains(m.id))
                    unknown.push_back(&m);
            if (unknown.empty())
                continue;
            if (auto ec = co_await at(s).identify(name, unknown)) {
                in.error = ec;
                in.error_detail =
                    std::string("identifying new messages on the ") + to_string(s) + " side";
                co_return in;
            }
        }
        co_return in;
    }

    void remember(const std::string& folder, const synced_message* previous,
                  std::optional<synced_message> record) {
        pending_.push_back(
            {folder, previous ? std::optional(*previous) : std::nullopt, std::move(record)});
    }

    // Commits both stores, then records what they made durable (see account_pass.hpp).
    task<std::error_code> flush(folder_outcome* outcome) {
        for (side s : both_sides) {
            if (auto ec = co_await at(s).commit()) {
                // Nothing of this batch is recorded; the next pass finds and links it.
                pending_.clear();
                pending_writes_ = 0;
                if (outcome != nullptr) {
                    outcome->error = ec;
                    outcome->error_detail = std::string("committing the ") + to_string(s) + " side";
                }
                co_return ec;
            }
        }
        for (auto& change : pending_) {
            if (change.record)
                state_.put(change.folder, change.previous ? &*change.previous : nullptr,
                           *change.record);
            else if (change.previous)
                state_.erase(change.folder, *change.previous);
        }
        pending_.clear();
        pending_writes_ = 0;
        if (auto ec = state_.commit()) {
            if (outcome != nullptr) {
                outcome->error = ec;
                outcome->error_detail = "writing the sync state";
            }
            co_return ec;
        }
        co_return std::error_code{};
    }

    static synced_message record_of(const action& a) {
        synced_message r;
        r.ids = a.ids;
        r.flags = a.flags;
        r.identity = a.identity;
        return r;
    }

    task<void> apply(const std::vector<folder_input>& inputs, folder_outcome& outcome) {
        const auto& folder = outcome.folder;
        const auto& records =
            std::find_if(inputs.begin(), inputs.end(), [&](const folder_input& in) {
                return in.name == folder;
            })->records;
        auto previous_of = [&](const action& a) -> const synced_message* {
            return a.record_index ? &records[*a.record_index] : nullptr;
        };
        // A link and its flag stores describe one new record: the last one wins.
        for (const auto& a : outcome.plan.actions) {
            std::error_code ec;
            const side t = a.target;
            switch (a.kind) {
            case action_kind::record:
            case action_kind::link:
                remember(folder, previous_of(a), record_of(a));
                if (a.kind == action_kind::link)
                    ++result_.linked;
                break;
            case action_kind::forget:
                remember(folder, previous_of(a), std::nullopt);
                break;
            case action_kind::store_flags:
                ec = co_await at(t).set_flags(folder, *a.id(t), a.add, a.remove);
                if (!ec) {
                    ++result_.flagged[index(t)];
                    remember(folder, previous_of(a), record_of(a));
                }
                break;
            case action_kind::remove:
                ec = co_await at(t).remove_message(folder, *a.id(t));
                if (!ec) {
                    ++result_.removed[index(t)];
                    remember(folder, previous_of(a), std::nullopt);
                }
                break;
            case action_kind::copy:
                ec = co_await copy(folder, a, previous_of(a));
                break;
            case action_kind::move: {
                const side src = other(t);
                std::string new_id;
                ec = co_await at(t).move_message(a.from_folder, *a.id(t), folder, new_id);
                if (!ec) {
                    ++result_.moved[index(t)];
                    const auto& from_records =
                        std::find_if(inputs.begin(), inputs.end(), [&](const folder_input& in) {
                            return in.name == a.from_folder;
                        })->records;
                    if (a.record_index)
                        remember(a.from_folder, &from_records[*a.record_index], std::nullopt);
                    synced_message moved = record_of(a);
                    moved.ids[index(t)] = new_id;
                    moved.ids[index(src)] = a.id(src);
                    remember(folder, nullptr, moved);
                    ++pending_writes_;
                }
                break;
            }
            }
            if (ec) {
                outcome.error = ec;
                outcome.error_detail = "applying the plan";
                break; // the folder stops; what is durable is recorded below
            }
            if (pending_writes_ >= options_.commit_every)
                if (co_await flush(&outcome))
                    co_return;
        }
        co_await flush(&outcome);
    }

    task<std::error_code> copy(const std::string& folder, const action& a,
                               const synced_message* previous) {
        const side target = a.target;
        const side source = other(target);
        const auto& source_id = *a.id(source);
        new_message m;
        m.folder = folder;
        m.flags = a.flags;
        if (auto ec = co_await at(source).message_size(folder, source_id, m.size))
            co_return ec;
        std::size_t bytes = 0;
        auto produce = [&](message_sink& sink) -> task<std::error_code> {
            counting_sink counter(sink);
            auto ec = co_await at(source).read_message(folder, source_id, counter);
            bytes = counter.bytes;
            co_return ec;
        };
        std::string new_id;
        if (auto ec = co_await at(target).write_message(m, produce, new_id))
            co_return ec;
        ++result_.copied[index(target)];
        result_.bytes_copied += bytes;
        synced_message record = record_of(a);
        record.ids[index(target)] = new_id;
        remember(folder, previous, record);
        ++pending_writes_;
        co_return std::error_code{};
    }
};

} // namespace

task<pass_result> run_account_pass(std::array<store*, 2> stores, sync_state& state,
                                   const std::vector<std::string>& folders,
                                   const pass_options& options) {
    pass p(stores, state, options);
    co_return co_await p.run(folders);
}

} // namespace postfach::sync
