#include "sync/account_pass.hpp"

#include "sync/folder_list_planner.hpp"
#include "sync/message_identity.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace postfach::sync {

bool pass_result::guard_tripped() const {
    return std::any_of(folders.begin(), folders.end(),
                       [](const folder_outcome& f) { return !f.plan.guard_trips.empty(); });
}

bool pass_result::any_error() const {
    return error || std::any_of(folders.begin(), folders.end(),
                                [](const folder_outcome& f) { return static_cast<bool>(f.error); });
}

namespace {

constexpr std::array<side, 2> both_sides{side::remote, side::local};
constexpr int index(side s) {
    return static_cast<int>(s);
}

struct folder_input {
    std::string name;
    std::vector<synced_message> records;
    std::array<std::vector<scanned_message>, 2> scans;
    std::error_code error;
    std::string error_detail;
    std::optional<side> deleted_on; // the folder was deleted on this side
    std::optional<side> absent_on;  // not there to scan on this side (deleted, or a dry run's)
    bool scanned = false;           // records loaded and both sides scanned (scan_folder)
    std::array<std::string, 2> epochs;
    std::array<std::string, 2> tokens; // of this pass's scans
    std::array<bool, 2> had_token{};   // the state had one (the scan started from it)
    bool epoch_changed = false;
    // Both sides unchanged since their tokens: records and scans were not even read, the
    // folder has nothing to do. `has`: it has records with an id on each side.
    bool skipped = false;
    std::array<bool, 2> has{};
    // The scans after this pass's own changes (settle_tokens), made beside the last commit.
    std::array<std::optional<folder_scan>, 2> rescans;
};

// Per folder (by input), how applying it went, for the end of the pass.
struct applying {
    explicit applying(std::size_t folders)
        : applied(folders, false)
        , idle(folders, false) {}
    std::vector<bool> applied;
    std::vector<bool> idle; // applied, and the plan was empty
    // Folders whose changes wait for one commit of them all (deferrable), by input and
    // outcome (in result_.folders).
    std::vector<std::pair<std::size_t, std::size_t>> deferred;
};

// A state change waiting for the stores' next commit.
using pending_change = record_change;

class pass {
public:
    pass(std::array<store*, 2> stores, sync_state& state, const pass_options& options)
        : stores_(stores)
        , state_(state)
        , options_(options) {}

    task<pass_result> run(const folder_selector& select) {
        // 1. Folders: what each side lists now against what the state knew. Both at once: the
        // local side lists while the server answers.
        std::array<std::vector<std::string>, 2> listed;
        std::array<std::vector<folder_info>, 2> infos;
        std::array<std::error_code, 2> list_errors;
        {
            using namespace boost::asio::experimental::awaitable_operators;
            auto remote = list_side(side::remote, infos, list_errors);
            auto local = list_side(side::local, infos, list_errors);
            co_await (std::move(remote) && std::move(local));
        }
        for (side s : both_sides) {
            if (const auto ec = list_errors[index(s)]) {
                result_.error = ec;
                result_.error_detail =
                    std::string("listing the folders on the ") + to_string(s) + " side";
                co_return std::move(result_);
            }
            for (const auto& f : infos[index(s)])
                if (select(f))
                    listed[index(s)].push_back(f.name);
        }
        std::vector<std::string> known;
        if (auto ec = state_.known_folders(known)) {
            result_.error = ec;
            result_.error_detail = "reading the known folders from the sync state";
            co_return std::move(result_);
        }
        const auto overlaps = co_await rename_overlaps(known, listed);
        const auto folders =
            plan_folder_list(known, listed, options_.plan,
                             [&](const std::string& from, const std::string& to, side s) {
                                 auto it = overlaps.find({from, to, s});
                                 return it == overlaps.end() ? 0.0 : it->second;
                             });
        if (!options_.dry_run)
            if (co_await apply_folder_actions(folders.actions))
                co_return std::move(result_);

        // 2. Messages, planned for every folder before any is changed (moves span folders),
        // unless the state knows no message of the account (stream_folders).
        std::vector<folder_input> inputs(folders.message_folders.size());
        std::vector<folder_input*> to_read; // not skipped
        for (auto& in : inputs) {
            in.name = folders.message_folders[static_cast<std::size_t>(&in - inputs.data())];
            for (const auto& d : folders.deletions)
                if (d.name == in.name)
                    in.absent_on = in.deleted_on = d.deleted_on;
            // A dry run creates nothing, so a folder to be created is not there to scan.
            if (options_.dry_run)
                for (const auto& a : folders.actions)
                    if (a.what == folder_action::kind::create && a.name == in.name)
                        in.absent_on = a.target;
            co_await check_unchanged(in);
            if (!in.skipped)
                to_read.push_back(&in);
        }
        applying app(inputs.size());
        // One outcome per folder from here on: they stay put, so the commits a streamed pass
        // makes behind its reads can report into them after apply_folder (commit_streamed).
        result_.folders.reserve(result_.folders.size() + inputs.size());
        if (!options_.dry_run && knows_no_message(inputs))
            co_await stream_folders(inputs, app);
        else
            co_await plan_all_first(inputs, to_read, app);
        if (app.deferred.empty()) {
            co_await commit_deferred(inputs, app.deferred, app.applied);
        } else {
            // The listings for the tokens of the deferred folders go on while the commit waits
            // for its fsyncs (a failed commit voids them: those folders settle nothing).
            using namespace boost::asio::experimental::awaitable_operators;
            auto listings = rescan_deferred(inputs, app.deferred);
            auto commit = commit_deferred(inputs, app.deferred, app.applied);
            co_await (std::move(commit) && std::move(listings));
        }
        // After every folder: a move recorded in one folder touched another. A folder settled
        // is not needed any more: its records and scans go (peak RSS, issue 5).
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            if (app.applied[i])
                co_await settle_tokens(inputs[i], app.idle[i]);
            inputs[i] = folder_input{};
        }
        if (!options_.dry_run) {
            co_await flush(nullptr);
            co_await finish_deletions(folders.deletions);
        }
        co_return std::move(result_);
    }

private:
    std::array<store*, 2> stores_;
    sync_state& state_;
    const pass_options& options_;
    pass_result result_;
    std::vector<pending_change> pending_;
    std::size_t pending_writes_ = 0;
    // (folder, side, epoch) to record with the next commit of records (apply).
    std::vector<std::tuple<std::string, side, std::string>> epochs_due_;
    // A batch of changes for commit_streamed, of inputs[input].
    struct commit_job {
        std::vector<pending_change> changes;
        std::optional<side> target; // the store to commit (where the read wrote); none: both
        std::size_t input = 0;
        folder_outcome* outcome = nullptr; // in result_.folders, which stays put (run)
        bool last = false;                 // the folder's last: it is settled after it
        bool barrier = false;              // no changes: taken once the commits before are done
    };
    using job_channel =
        boost::asio::experimental::channel<void(boost::system::error_code, commit_job)>;
    // The commits of a streamed pass, one after the other across folders (commit_streamed).
    struct streamed_commits {
        streamed_commits(const boost::asio::any_io_executor& ex, std::size_t folders)
            : jobs(ex)
            , commit_failed(folders, false) {}
        job_channel jobs; // unbuffered: a send completes when the commit before is done
        std::vector<bool> commit_failed; // by input: nothing more is recorded for it
        bool busy = false;               // committing or settling: the next batch may grow
    };
    std::optional<streamed_commits> streamed_;
    std::size_t applying_input_ = 0; // the input apply() works on
    std::optional<side> copied_to_;  // the side apply() copied to last
    pass_progress progress_;         // of the folder being applied
    // Per folder and side, what this pass changed there (flags, removals, new messages, moves
    // in and out): the scan token may not vouch for it (settle_tokens). The ids only where the
    // token survives the store's own changes; elsewhere the folder is scanned again anyway, and
    // an initial sync would keep every new id.
    struct touched_ids {
        bool any = false;
        std::set<std::string> ids;
    };
    std::map<std::string, std::array<touched_ids, 2>> touched_;
    // Per folder, the record changes committed in this pass, in order (commit_and_record), so
    // settle_tokens knows the records now without reading them back. A folder with more than
    // committed_log_limit (an initial sync) keeps none and is read back (peak RSS, issue 5).
    struct committed_log {
        bool overflowed = false;
        std::vector<pending_change> changes;
    };
    static constexpr std::size_t committed_log_limit = 2000;
    std::map<std::string, committed_log> committed_;

    void log_committed(std::vector<pending_change>& changes) {
        for (auto& change : changes) {
            auto& log = committed_[change.folder];
            if (log.overflowed)
                continue;
            if (log.changes.size() == committed_log_limit) {
                log.overflowed = true;
                log.changes = {};
                continue;
            }
            log.changes.push_back(std::move(change));
        }
    }

    // The records of `in` as the state has them now: those read, with the changes committed
    // since applied as sqlite_sync_state applies them (put: the records sharing an id with the
    // previous or the new one go, the new one comes; erase: those sharing an id go). A view
    // into `in.records` and the log, copying neither: only the records sharing an id with a
    // change are indexed (a pass changes few of a folder's records). False when this pass did
    // not log them all (then the state is read).
    bool records_now(const folder_input& in, std::vector<const synced_message*>& out) const {
        if (in.epoch_changed) // the records were dropped from `in` before their erasure
            return false;
        const auto log = committed_.find(in.name);
        if (log != committed_.end() && log->second.overflowed)
            return false;
        out.clear();
        out.reserve(in.records.size() + (log == committed_.end() ? 0 : log->second.changes.size()));
        for (const auto& r : in.records)
            out.push_back(&r);
        if (log == committed_.end())
            return true;
        const auto& changes = log->second.changes;
        std::array<std::unordered_set<std::string_view>, 2> changed;
        for (const auto& change : changes)
            for (const auto* r : {change.previous ? &*change.previous : nullptr,
                                  change.record ? &*change.record : nullptr})
                if (r != nullptr)
                    for (side s : both_sides)
                        if (r->id(s))
                            changed[index(s)].insert(*r->id(s));
        std::vector<bool> gone(out.size(), false);
        std::array<std::unordered_multimap<std::string_view, std::size_t>, 2> by_id;
        auto index_record = [&](std::size_t i) {
            for (side s : both_sides)
                if (out[i]->id(s) && changed[index(s)].contains(*out[i]->id(s)))
                    by_id[index(s)].emplace(*out[i]->id(s), i);
        };
        auto erase_sharing = [&](const synced_message& r) {
            for (side s : both_sides) {
                if (!r.id(s))
                    continue;
                const auto [from, to] = by_id[index(s)].equal_range(*r.id(s));
                for (auto it = from; it != to; ++it)
                    gone[it->second] = true;
            }
        };
        for (std::size_t i = 0; i < out.size(); ++i)
            index_record(i);
        for (const auto& change : changes) {
            if (change.previous)
                erase_sharing(*change.previous);
            if (!change.record)
                continue;
            erase_sharing(*change.record);
            out.push_back(&*change.record);
            gone.push_back(false);
            index_record(out.size() - 1);
        }
        std::size_t kept = 0;
        for (std::size_t i = 0; i < out.size(); ++i)
            if (!gone[i])
                out[kept++] = out[i];
        out.resize(kept);
        return true;
    }

    void touch(const std::string& folder, side s, const std::string& id) {
        auto& t = touched_[folder][index(s)];
        t.any = true;
        if (at(s).token_survives_own_changes())
            t.ids.insert(id);
    }

    // A scan token is kept only when the records now say exactly what each side had at the
    // token, except for what this pass changed there itself (a later scan reports that as
    // changed). Anything the pass did not take in (the direction, the guard, a failure) would
    // otherwise be lost: a scan from the token never reports it again. So: every scanned
    // message has a record with the flags it was scanned with, every record's id was scanned.
    // A side whose own changes void its token (a Maildir) is scanned again once changed, and
    // that scan must match the records with no exception. `idle`: the folder's plan was empty,
    // so its records are still those read. Frees the scans of `in` it no longer needs before
    // reading new ones.
    task<void> settle_tokens(folder_input& in, bool idle) {
        static const touched_ids none;
        const auto touched_here = touched_.find(in.name);
        const bool records_as_read = idle && touched_here == touched_.end();
        std::vector<synced_message> loaded; // read back from the state (records_now could not)
        std::vector<const synced_message*> records;
        bool have_records = false;
        for (side s : both_sides) {
            std::string token = in.tokens[index(s)];
            const std::vector<scanned_message>* scanned = &in.scans[index(s)];
            const touched_ids* touched =
                touched_here == touched_.end() ? &none : &touched_here->second[index(s)];
            folder_scan again;
            if (rescanned(in, s)) {
                in.scans[index(s)] = {};
                if (in.rescans[index(s)])
                    again = std::move(*in.rescans[index(s)]);
                else
                    co_await scan_again(in, s, again);
                in.rescans[index(s)].reset();
                token = again.token;
                scanned = &again.messages;
                touched = &none;
            }
            if (token.empty()) {
                if (in.had_token[index(s)])
                    state_.set_scan_token(in.name, s, "");
                continue;
            }
            if (!have_records) {
                if (records_as_read) {
                    records.reserve(in.records.size());
                    for (const auto& r : in.records)
                        records.push_back(&r);
                } else if (!records_now(in, records)) {
                    records.clear();
                    if (state_.load(in.name, loaded)) {
                        state_.set_scan_token(in.name, s, "");
                        continue;
                    }
                    in.records = {};
                    for (const auto& r : loaded)
                        records.push_back(&r);
                }
                have_records = true;
            }
            std::unordered_map<std::string_view, flag_bits> recorded;
            recorded.reserve(records.size());
            for (const auto* r : records)
                if (r->id(s))
                    recorded.emplace(*r->id(s), r->flags);
            bool complete = true;
            std::size_t matched = 0;
            for (const auto& m : *scanned) {
                if (touched->ids.contains(m.id))
                    continue;
                const auto r = recorded.find(m.id);
                complete = complete && r != recorded.end() && r->second == m.flags;
                ++matched;
            }
            // Every record's id was scanned: the records not matched above are all touched.
            if (complete && matched != recorded.size()) {
                std::unordered_set<std::string_view> seen;
                seen.reserve(scanned->size());
                for (const auto& m : *scanned)
                    seen.insert(m.id);
                for (const auto& [id, flags] : recorded)
                    complete =
                        complete && (seen.contains(id) || touched->ids.contains(std::string(id)));
            }
            state_.set_scan_token(in.name, s, complete ? token : std::string());
        }
    }

    // Whether settle_tokens scans side s of `in` again: this pass changed it, and the side's
    // own changes void its token.
    bool rescanned(const folder_input& in, side s) const {
        const auto t = touched_.find(in.name);
        return t != touched_.end() && t->second[index(s)].any &&
               !stores_[index(s)]->token_survives_own_changes();
    }

    // The scan of side s of `in` after this pass's changes; its token is empty when it cannot
    // vouch for the folder (changed just now, as it usually is, and the clock too coarse).
    task<void> scan_again(folder_input& in, side s, folder_scan& again) {
        if (!at(s).token_possible(in.name))
            co_return;
        const auto ec = co_await at(s).rescan(in.name, again);
        if (ec)
            again.token.clear();
        co_return;
    }

    // The rescans settle_tokens will need for the deferred folders, made ahead (beside their
    // commit). The commit starts first, so these run while it waits for the worker thread.
    task<void> rescan_deferred(std::vector<folder_input>& inputs,
                               std::vector<std::pair<std::size_t, std::size_t>> deferred) {
        for (const auto& [input, outcome] : deferred) {
            auto& in = inputs[input];
            for (side s : both_sides)
                if (rescanned(in, s)) {
                    folder_scan again;
                    co_await scan_again(in, s, again);
                    in.rescans[index(s)] = std::move(again);
                }
        }
    }

    // A folder that failed part way: its records may say less than the token vouched for.
    void forget_tokens(const folder_input& in) {
        for (side s : both_sides)
            if (in.had_token[index(s)])
                state_.set_scan_token(in.name, s, "");
    }

    store& at(side s) { return *stores_[index(s)]; }

    using overlap_key = std::tuple<std::string, std::string, side>;

    // For each known folder gone from one side, the share of its messages (by id on that side)
    // found in each new folder there: the evidence of a rename.
    task<std::map<overlap_key, double>>
    rename_overlaps(const std::vector<std::string>& known,
                    const std::array<std::vector<std::string>, 2>& listed) {
        std::map<overlap_key, double> out;
        const std::set<std::string> known_set(known.begin(), known.end());
        for (side s : both_sides) {
            const std::set<std::string> here(listed[index(s)].begin(), listed[index(s)].end());
            const std::set<std::string> there(listed[index(other(s))].begin(),
                                              listed[index(other(s))].end());
            std::vector<std::string> missing, fresh;
            for (const auto& k : known)
                if (!here.contains(k) && there.contains(k))
                    missing.push_back(k);
            for (const auto& f : here)
                if (!known_set.contains(f) && !there.contains(f))
                    fresh.push_back(f);
            if (missing.empty() || fresh.empty())
                continue;
            std::map<std::string, std::set<std::string>> fresh_ids;
            for (const auto& f : fresh) {
                folder_scan scan;
                if (co_await at(s).scan(f, scan))
                    continue;
                for (const auto& m : scan.messages)
                    fresh_ids[f].insert(m.id);
            }
            for (const auto& k : missing) {
                std::vector<synced_message> records;
                if (state_.load(k, records))
                    continue;
                std::size_t total = 0;
                for (const auto& r : records)
                    total += r.id(s) ? 1 : 0;
                if (total == 0)
                    continue;
                for (const auto& [f, ids] : fresh_ids) {
                    std::size_t hits = 0;
                    for (const auto& r : records)
                        hits += r.id(s) && ids.contains(*r.id(s)) ? 1 : 0;
                    out[{k, f, s}] = static_cast<double>(hits) / static_cast<double>(total);
                }
            }
        }
        co_return out;
    }

    // Returns an error when the pass cannot go on (the state could not be written).
    task<std::error_code> apply_folder_actions(const std::vector<folder_action>& actions) {
        std::set<std::string> failed;
        for (const auto& a : actions) {
            std::error_code ec;
            switch (a.what) {
            case folder_action::kind::create:
                ec = co_await at(a.target).create_folder(a.name);
                if (!ec)
                    ++result_.folders_created[index(a.target)];
                break;
            case folder_action::kind::rename:
                ec = co_await at(a.target).rename_folder(a.name, a.new_name);
                if (!ec) {
                    ++result_.folders_renamed[index(a.target)];
                    state_.rename_folder(a.name, a.new_name);
                }
                break;
            case folder_action::kind::remember:
                if (!failed.contains(a.name))
                    state_.add_folder(a.name);
                break;
            case folder_action::kind::forget:
                state_.forget_folder(a.name);
                break;
            }
            if (ec) {
                failed.insert(a.name);
                result_.folders.push_back({a.name, {}, ec, "changing the folder itself"});
            }
        }
        // The stores first (a created folder must exist on disk before the state knows it,
        // or a crash would make the next pass read it as deleted), then the state.
        if (auto ec = co_await flush(nullptr)) {
            result_.error = ec;
            result_.error_detail = "committing the folder changes";
            co_return ec;
        }
        co_return std::error_code{};
    }

    // Removes each folder deleted on one side from the other side once its messages are gone.
    task<void> finish_deletions(const std::vector<folder_deletion>& deletions) {
        for (const auto& d : deletions) {
            const side kept = other(d.deleted_on);
            folder_scan left;
            if (co_await at(kept).scan(d.name, left) || !left.messages.empty())
                continue; // held back by the guard, or changed there: the folder stays
            if (co_await at(kept).delete_folder(d.name))
                continue;
            ++result_.folders_deleted[index(kept)];
            state_.forget_folder(d.name);
        }
        if (!deletions.empty())
            co_await flush(nullptr); // the stores first, then the state
    }

    // Whether both sides vouch that the folder is unchanged: then it is skipped, its records
    // not even read. A side where the folder is absent cannot vouch.
    task<void> check_unchanged(folder_input& in) {
        if (in.absent_on || in.deleted_on || !co_await unchanged(in.name))
            co_return;
        if (auto ec = state_.has_records(in.name, in.has)) {
            in.error = ec;
            in.error_detail = "reading the sync state";
        }
        in.skipped = true;
    }

    void load_records(folder_input& in) {
        if (auto ec = state_.load(in.name, in.records)) {
            in.error = ec;
            in.error_detail = "reading the sync state";
        }
    }

    // load_records once the scan beside it waits for its store (it was started first).
    task<void> load_records_meanwhile(folder_input& in) {
        load_records(in);
        co_return;
    }

    // Loads the records of `in` and scans both sides (stream_folders).
    task<void> scan_folder(folder_input& in) {
        in.scanned = true;
        load_records(in);
        co_await scan_sides(in);
    }

    // Scans the folders ahead up to the first with a message on either side: the next to read,
    // which stays selected on the server for its read. An empty one has nothing to do (the
    // state knows no message either: stream_folders).
    task<void> scan_ahead(std::span<folder_input> ahead) {
        for (auto& in : ahead) {
            if (in.skipped)
                continue;
            if (!in.scanned)
                co_await scan_folder(in);
            if (in.error || !in.scans[0].empty() || !in.scans[1].empty())
                co_return;
        }
    }

    // Tells each store the scans scan_sides is about to make of these folders, in this order
    // (store::expect_scans).
    void hint_scans(const std::vector<folder_input*>& folders) {
        for (side s : both_sides) {
            std::vector<expected_scan> scans;
            for (const auto* in : folders)
                if (in->absent_on != s)
                    scans.push_back(
                        {in->name, state_.epoch(in->name, s), state_.scan_token(in->name, s)});
            at(s).expect_scans(std::move(scans));
        }
    }

    // Scans both sides from the records load_records read; a side where the folder was deleted
    // scans empty.
    task<void> scan_sides(folder_input& in) {
        if (in.error)
            co_return;
        const auto& name = in.name;
        for (side s : both_sides) {
            if (in.absent_on == s)
                continue;
            folder_scan scan;
            const auto token = state_.scan_token(name, s);
            std::error_code ec;
            // Records voided by the other side's new epoch cannot say what this side had at
            // its token: only a full scan can.
            if (token.empty() || in.epoch_changed) {
                ec = co_await at(s).scan(name, scan);
            } else {
                // The records are what the side had at the token (settle_tokens).
                scan_base base;
                base.epoch = state_.epoch(name, s);
                base.token = token;
                for (const auto& r : in.records)
                    if (r.id(s))
                        base.messages.push_back(scanned_message{*r.id(s), r.flags, ""});
                ec = co_await at(s).scan_since(name, base, scan);
            }
            in.had_token[index(s)] = !token.empty();
            in.tokens[index(s)] = scan.token;
            if (ec) {
                in.error = ec;
                in.error_detail = std::string("scanning the ") + to_string(s) + " side";
                co_return;
            }
            in.scans[index(s)] = std::move(scan.messages);
            in.epochs[index(s)] = std::move(scan.epoch);
            // New ids on this side (UIDVALIDITY changed): the remembered pairs are void. Forget
            // them all and let identities pair the messages again, with no transfer.
            if (const auto before = state_.epoch(name, s);
                !before.empty() && before != in.epochs[index(s)]) {
                for (const auto& r : in.records)
                    remember(name, &r, std::nullopt);
                in.records.clear();
                in.epoch_changed = true;
            }
        }
        co_return;
    }

    // The scanned messages of `in` the records do not know, per side; and per side, whether a
    // record's message is gone from its scan (in any folder: `vanished` collects): a deletion,
    // or the source of a move whose target is a new message on that side somewhere. One index
    // of the record ids per side tells both.
    static void find_unknown(folder_input& in,
                             std::array<std::vector<scanned_message*>, 2>& unknown,
                             std::array<bool, 2>& vanished) {
        if (in.skipped || in.error)
            return;
        for (side s : both_sides) {
            std::unordered_map<std::string_view, bool> known; // id -> scanned
            known.reserve(in.records.size());
            for (const auto& r : in.records)
                if (r.id(s))
                    known.emplace(*r.id(s), false);
            std::size_t found = 0;
            for (auto& m : in.scans[index(s)]) {
                const auto it = known.find(m.id);
                if (it == known.end())
                    unknown[index(s)].push_back(&m);
                else if (!std::exchange(it->second, true))
                    ++found;
            }
            vanished[index(s)] = vanished[index(s)] || found != known.size();
        }
    }

    // Identities of the messages the state cannot pair, where the plan can use them: to link
    // a message new on both sides of the folder, or to tell a move from a copy (a side where
    // some record's message went). Other new messages are copied without one: the copy reads
    // the identity from the bytes it transfers (copier), so an initial sync fetches no
    // headers first.
    task<void> identify(folder_input& in, std::array<std::vector<scanned_message*>, 2>& unknown,
                        const std::array<bool, 2>& vanished) {
        if (in.skipped || in.error)
            co_return;
        for (side s : both_sides) {
            if (unknown[index(s)].empty() ||
                (!vanished[index(s)] && unknown[index(other(s))].empty()))
                continue;
            if (auto ec = co_await at(s).identify(in.name, unknown[index(s)])) {
                in.error = ec;
                in.error_detail =
                    std::string("identifying new messages on the ") + to_string(s) + " side";
                co_return;
            }
        }
    }

    task<void> list_side(side s, std::array<std::vector<folder_info>, 2>& infos,
                         std::array<std::error_code, 2>& errors) {
        errors[index(s)] = co_await at(s).list_folders(infos[index(s)]);
    }

    // Whether both sides say the folder is as it was at their tokens (which vouch that the
    // records hold exactly what each side had then): nothing to read, plan or do. A failed
    // check only means "not known to be unchanged"; the scan then reports the failure.
    task<bool> unchanged(const std::string& name) {
        for (side s : {side::local, side::remote}) { // the cheap check first
            const auto token = state_.scan_token(name, s);
            if (token.empty())
                co_return false;
            bool same = false;
            if (co_await at(s).unchanged_since(name, state_.epoch(name, s), token, same) || !same)
                co_return false;
        }
        co_return true;
    }

    void remember(const std::string& folder, const synced_message* previous,
                  std::optional<synced_message> record) {
        pending_.push_back(
            {folder, previous ? std::optional(*previous) : std::nullopt, std::move(record)});
    }

    // Commits both stores, then records what they made durable (see account_pass.hpp). In a
    // streamed pass, after the commits handed over before (one commit at a time).
    task<std::error_code> flush(folder_outcome* outcome) {
        co_await drain_streamed();
        auto changes = std::exchange(pending_, {});
        pending_writes_ = 0;
        co_return co_await commit_and_record(both_sides, changes, outcome);
    }

    // Commits the given stores, then records `changes`, which are changes of those stores only.
    // On a failure nothing of them is recorded (the next pass finds and links what is on disk).
    template <std::size_t n>
    task<std::error_code> commit_and_record(std::array<side, n> sides,
                                            std::vector<pending_change>& changes,
                                            folder_outcome* outcome) {
        for (side s : sides) {
            if (auto ec = co_await at(s).commit()) {
                state_.rollback();
                if (outcome != nullptr) {
                    outcome->error = ec;
                    outcome->error_detail = std::string("committing the ") + to_string(s) + " side";
                }
                co_return ec;
            }
        }
        // The epochs first, in the same transaction as the records (the loop opens it).
        auto epochs = std::exchange(epochs_due_, {});
        for (const auto& [folder, s, epoch] : epochs)
            state_.set_epoch(folder, s, epoch);
        // The records and their COMMIT off the loop: the read of the next batch goes on
        // meanwhile (copier::commit_behind, commit_streamed).
        if (auto ec = co_await state_.async_commit_changes(changes)) {
            // Not recorded: due with the next commit (of another folder's records, perhaps).
            epochs_due_.insert(epochs_due_.begin(), epochs.begin(), epochs.end());
            if (outcome != nullptr) {
                outcome->error = ec;
                outcome->error_detail = "writing the sync state";
            }
            co_return ec;
        }
        log_committed(changes);
        co_return std::error_code{};
    }

    static synced_message record_of(const action& a) {
        synced_message r;
        r.ids = a.ids;
        r.flags = a.flags;
        r.identity = a.identity;
        return r;
    }

    // Whether a folder's changes may wait for a commit with other folders' (commit_deferred):
    // a plan of flag changes, removals and records only (no copy: those commit in batches
    // behind their read; no move: it spans two folders). One commit for a pass of flag changes
    // across folders instead of a directory fsync and a state transaction per folder. Killed
    // before it, the next pass finds the renamed files and the server as they are, records
    // the flags both sides agree on, and ends as this one would have.
    static bool deferrable(const folder_plan& plan) {
        return std::none_of(plan.actions.begin(), plan.actions.end(), [](const action& a) {
            return a.kind == action_kind::copy || a.kind == action_kind::move;
        });
    }

    // Commits what the deferred folders changed (and what a deferred folder that failed part
    // way did); on a failure each of them failed (nothing of them is recorded, their tokens
    // are forgotten).
    task<void> commit_deferred(const std::vector<folder_input>& inputs,
                               std::vector<std::pair<std::size_t, std::size_t>>& deferred,
                               std::vector<bool>& applied) {
        if (deferred.empty() && pending_.empty())
            co_return;
        folder_outcome failed;
        if (co_await flush(&failed))
            for (const auto& [input, outcome] : deferred) {
                auto& o = result_.folders[outcome];
                o.error = failed.error;
                o.error_detail = failed.error_detail;
                applied[input] = false;
                forget_tokens(inputs[input]);
            }
        deferred.clear();
    }

    // Scans every folder, plans them all, then applies the plans: a move pairs a message gone
    // from one folder with one new in another, and the deletion guard's "a whole side looks
    // empty" is judged over the whole account.
    task<void> plan_all_first(std::vector<folder_input>& inputs, std::vector<folder_input*> to_read,
                              applying& app) {
        // The records of the next folder are loaded while the server answers this one's scan,
        // and a store may send the next folders' scans before this one's answer is in.
        hint_scans(to_read);
        if (!to_read.empty())
            load_records(*to_read.front());
        for (std::size_t k = 0; k < to_read.size(); ++k) {
            auto& in = *to_read[k];
            if (k + 1 == to_read.size()) {
                co_await scan_sides(in);
                continue;
            }
            using namespace boost::asio::experimental::awaitable_operators;
            auto scans = scan_sides(in);
            auto next = load_records_meanwhile(*to_read[k + 1]);
            co_await (std::move(scans) && std::move(next));
        }
        std::vector<std::array<std::vector<scanned_message*>, 2>> unknown(inputs.size());
        std::array<bool, 2> vanished{};
        for (std::size_t i = 0; i < inputs.size(); ++i)
            find_unknown(inputs[i], unknown[i], vanished);
        for (std::size_t i = 0; i < inputs.size(); ++i)
            co_await identify(inputs[i], unknown[i], vanished);

        const auto plan_opts = account_plan_options(inputs);
        std::vector<folder_plan> plans;
        for (const auto& in : inputs)
            plans.push_back(plan_of(in, plan_opts));
        detect_moves(plans);
        const std::span<folder_input> scanned_all; // nothing to scan ahead
        for (std::size_t i = 0; i < inputs.size(); ++i)
            co_await apply_folder(inputs, i, std::move(plans[i]), app, scanned_all);
    }

    // Whether the state knows no message of any of these folders (an initial sync): then no
    // record can vanish anywhere, so no plan has a deletion, a move or a guard trip, and each
    // folder's plan depends on that folder's scans alone (stream_folders).
    bool knows_no_message(const std::vector<folder_input>& inputs) {
        for (const auto& in : inputs) {
            std::array<bool, 2> has = in.has;
            if (!in.skipped && state_.has_records(in.name, has))
                return false; // the usual path reports the error
            if (has[0] || has[1])
                return false;
        }
        return true;
    }

    // Plans and applies each folder as soon as both its sides are scanned, instead of scanning
    // every folder first: the store side writes while the later folders are scanned, and the
    // server's folder is still selected when its messages are read (design.md §4, issue 5).
    // Only for folders whose plans cannot depend on each other (knows_no_message). The commits
    // run in commit_streamed, behind the reads and across folders: a folder's last commit runs
    // while the next folders are scanned and the next one read, and the folder's scan tokens
    // are settled right after it, so that at the pass's end only the last folder is left.
    task<void> stream_folders(std::vector<folder_input>& inputs, applying& app) {
        const auto executor = co_await boost::asio::this_coro::executor;
        streamed_.emplace(executor, inputs.size());
        using namespace boost::asio::experimental::awaitable_operators;
        auto reads = stream_reads(inputs, app);
        auto commits = commit_streamed(inputs, app);
        co_await (std::move(reads) && std::move(commits));
        streamed_.reset();
    }

    task<void> stream_reads(std::vector<folder_input>& inputs, applying& app) {
        // Nothing remembered: no side looks emptied, whatever the scans find.
        const auto plan_opts = account_plan_options(inputs);
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            auto& in = inputs[i];
            if (!in.skipped && !in.scanned)
                co_await scan_folder(in);
            std::array<std::vector<scanned_message*>, 2> unknown;
            std::array<bool, 2> vanished{};
            find_unknown(in, unknown, vanished);
            co_await identify(in, unknown, vanished);
            auto plan = plan_of(in, plan_opts);
            const std::span<folder_input> ahead(inputs.data() + i + 1, inputs.size() - i - 1);
            co_await apply_folder(inputs, i, std::move(plan), app, ahead);
        }
        co_await drain_streamed(); // the last folder's commit and settling
        streamed_->jobs.close();
    }

    // Commits what the reads of a streamed pass hand over, in order, one job at a time. After
    // a folder's last job the folder is settled (or, failed, its tokens forgotten) and its
    // records and scans freed. The state changes only here meanwhile: the reads only read it.
    task<void> commit_streamed(std::vector<folder_input>& inputs, applying& app) {
        auto& streamed = *streamed_;
        for (;;) {
            auto [ec, job] = co_await streamed.jobs.async_receive(
                boost::asio::as_tuple(boost::asio::use_awaitable));
            if (ec)
                co_return; // closed: the reads are over
            if (job.barrier)
                continue;
            streamed.busy = true;
            if (!streamed.commit_failed[job.input]) {
                std::error_code failed;
                if (job.target) {
                    const std::array<side, 1> sides{*job.target};
                    failed = co_await commit_and_record(sides, job.changes, job.outcome);
                } else {
                    failed = co_await commit_and_record(both_sides, job.changes, job.outcome);
                }
                streamed.commit_failed[job.input] = static_cast<bool>(failed);
            }
            if (job.last)
                co_await finish_streamed(inputs, app, job.input, *job.outcome);
            streamed.busy = false;
        }
    }

    // After a streamed folder's last commit: settles it, or forgets its tokens if it failed
    // (a read or a commit), then frees its records and scans (peak RSS, issue 5).
    task<void> finish_streamed(std::vector<folder_input>& inputs, applying& app, std::size_t i,
                               const folder_outcome& outcome) {
        auto& in = inputs[i];
        if (outcome.error)
            forget_tokens(in);
        else if (app.applied[i])
            co_await settle_tokens(in, app.idle[i]);
        app.applied[i] = false; // done: run() has nothing left to settle
        touched_.erase(in.name);
        committed_.erase(in.name);
        in = folder_input{};
    }

    // Waits until commit_streamed has done every job handed over (nothing in a pass that does
    // not stream): the state may change again.
    task<void> drain_streamed() {
        if (!streamed_)
            co_return;
        commit_job barrier;
        barrier.barrier = true;
        const boost::system::error_code none;
        (void)co_await streamed_->jobs.async_send(
            none, std::move(barrier), boost::asio::as_tuple(boost::asio::use_awaitable));
    }

    // Hands a job to commit_streamed; completes once it took it (the jobs before are done).
    // Then lets it start the commit before the caller goes on: the commit covers the files
    // finished so far, none of the next folder's.
    task<void> hand_over_streamed(commit_job job) {
        const boost::system::error_code none;
        (void)co_await streamed_->jobs.async_send(
            none, std::move(job), boost::asio::as_tuple(boost::asio::use_awaitable));
        const auto executor = co_await boost::asio::this_coro::executor;
        co_await boost::asio::post(executor, boost::asio::use_awaitable);
    }

    // The deletion guard's "a whole side looks empty" is judged over the whole account.
    plan_options account_plan_options(const std::vector<folder_input>& inputs) const {
        plan_options plan_opts = options_.plan;
        for (side s : both_sides) {
            std::size_t scanned = 0, remembered = 0;
            for (const auto& in : inputs) {
                // A skipped folder has on each side exactly what its records say (whether
                // that is anything is all that counts here).
                const std::size_t kept = in.skipped && in.has[index(s)] ? 1 : 0;
                scanned += in.skipped ? kept : in.scans[index(s)].size();
                remembered += kept;
                for (const auto& r : in.records)
                    remembered += r.id(s) ? 1 : 0;
            }
            plan_opts.side_looks_empty[index(s)] = scanned == 0 && remembered > 0;
        }
        return plan_opts;
    }

    static folder_plan plan_of(const folder_input& in, const plan_options& plan_opts) {
        auto plan = in.error ? folder_plan{in.name, {}, {}}
                             : plan_folder(in.name, in.records, in.scans, plan_opts);
        // A folder deleted on one side gets nothing copied back into it there.
        if (in.deleted_on)
            std::erase_if(plan.actions, [&](const action& a) {
                return a.kind == action_kind::copy && a.target == *in.deleted_on;
            });
        return plan;
    }

    // Applies the plan of inputs[i] (a dry run, a failed or a skipped folder: only reports it).
    // `ahead` (a streamed pass): the folders to scan (scan_ahead) once this one's last read is
    // done, beside its last commit (apply_streamed).
    task<void> apply_folder(std::vector<folder_input>& inputs, std::size_t i, folder_plan plan,
                            applying& app, std::span<folder_input> ahead) {
        folder_outcome outcome{inputs[i].name, std::move(plan), inputs[i].error,
                               inputs[i].error_detail};
        app.idle[i] = outcome.plan.actions.empty();
        if (streamed_ && !outcome.error && !inputs[i].skipped && !deferrable(outcome.plan)) {
            co_await apply_streamed(inputs, i, std::move(outcome), app, ahead);
            co_return;
        }
        if (!options_.dry_run && !outcome.error && !inputs[i].skipped) {
            const bool defer = deferrable(outcome.plan);
            if (!defer)
                co_await commit_deferred(inputs, app.deferred, app.applied);
            co_await apply(inputs, outcome, defer);
            app.applied[i] = !outcome.error;
            if (outcome.error) {
                co_await drain_streamed(); // the state may change
                forget_tokens(inputs[i]);
            } else if (defer)
                app.deferred.emplace_back(i, result_.folders.size());
        }
        result_.folders.push_back(std::move(outcome));
    }

    // apply_folder in a streamed pass, for a folder with copies: its outcome goes to result_
    // first (commit_streamed reports into it), and its last changes to commit_streamed, which
    // settles it after them; meanwhile the next folders are scanned (and then read).
    task<void> apply_streamed(std::vector<folder_input>& inputs, std::size_t i,
                              folder_outcome outcome_of_plan, applying& app,
                              std::span<folder_input> ahead) {
        result_.folders.push_back(std::move(outcome_of_plan));
        auto& outcome = result_.folders.back();
        // Deferred folders that changed nothing (empty ones) wait on: no commit to wait for.
        if (!pending_.empty())
            co_await commit_deferred(inputs, app.deferred, app.applied);
        applying_input_ = i;
        copied_to_.reset();
        // The next folder is scanned right after this one's reads (scan_ahead): a store may
        // start that scan behind them.
        for (auto& next : ahead) {
            if (next.skipped || next.scanned)
                continue;
            hint_scans({&next});
            break;
        }
        co_await apply(inputs, outcome, false);
        app.applied[i] = !outcome.error;
        // What is left is of the last read (copy_all committed everything before it): its
        // target's commit takes the files finished so far, none of the next folder's.
        commit_job last;
        last.changes = std::exchange(pending_, {});
        pending_writes_ = 0;
        last.target = copied_to_;
        last.input = i;
        last.outcome = &outcome;
        last.last = true;
        using namespace boost::asio::experimental::awaitable_operators;
        auto hand_over = hand_over_streamed(std::move(last));
        auto scans = scan_ahead(ahead);
        co_await (std::move(hand_over) && std::move(scans));
    }

    // `defer`: the changes wait for commit_deferred (also when the folder fails part way: what
    // it did is recorded with the others).
    task<void> apply(const std::vector<folder_input>& inputs, folder_outcome& outcome, bool defer) {
        const auto& folder = outcome.folder;
        const auto& input =
            *std::find_if(inputs.begin(), inputs.end(),
                          [&](const folder_input& in) { return in.name == folder; });
        const auto& records = input.records;
        auto previous_of = [&](const action& a) -> const synced_message* {
            return a.record_index ? &records[*a.record_index] : nullptr;
        };
        // A link and its flag stores describe one new record: the last one wins.
        std::array<std::vector<const action*>, 2> copies;
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
                ec = co_await at(t).set_flags_from(folder, *a.id(t), a.scanned, a.add, a.remove);
                touch(folder, t, *a.id(t));
                if (!ec) {
                    ++result_.flagged[index(t)];
                    remember(folder, previous_of(a), record_of(a));
                }
                break;
            case action_kind::remove:
                ec = co_await at(t).remove_message(folder, *a.id(t));
                touch(folder, t, *a.id(t));
                if (!ec) {
                    ++result_.removed[index(t)];
                    remember(folder, previous_of(a), std::nullopt);
                }
                break;
            case action_kind::copy:
                copies[index(t)].push_back(&a); // batched below
                break;
            case action_kind::move: {
                const side src = other(t);
                std::string new_id;
                ec = co_await at(t).move_message(a.from_folder, *a.id(t), folder, new_id);
                touch(a.from_folder, t, *a.id(t));
                if (!ec && (a.add != 0 || a.remove != 0)) {
                    // Not recorded yet: a failure here leaves the copy for the next pass to
                    // pair by identity, so nothing is lost.
                    ec = co_await at(t).set_flags(folder, new_id, a.add, a.remove);
                    if (!ec)
                        ++result_.flagged[index(t)];
                }
                if (!ec) {
                    touch(folder, t, new_id);
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
        // The ids of this pass are recorded under the epoch they belong to, with the first
        // commit of them (commit_and_record; in a streamed pass the state may not change
        // before: the previous folder's last commit may still run).
        for (side s : both_sides)
            epochs_due_.emplace_back(folder, s, input.epochs[index(s)]);
        // New messages last, in one batch read per direction; downloads first, so that an upload
        // the server refuses (a quota) does not hold back mail coming the other way.
        progress_ = pass_progress{folder, 0, copies[0].size() + copies[1].size(), 0};
        for (side t : {side::local, side::remote}) {
            if (outcome.error || copies[index(t)].empty())
                continue;
            bool commit_failed = false;
            copied_to_ = t;
            if (auto ec = co_await copy_all(outcome, copies[index(t)], t, records, commit_failed)) {
                if (commit_failed)
                    co_return;
                outcome.error = ec;
                outcome.error_detail = "applying the plan";
            }
        }
        if (!defer && !streamed_) // streamed: the rest goes to commit_streamed (apply_streamed)
            co_await flush(&outcome);
    }

    // Copies messages of a folder to one side: a batch read of the other side feeds a writer
    // per message on this one; each is recorded once committed. Every commit_every messages the
    // batch goes to a group commit that runs behind the read (commit_behind): the download of
    // the next batch goes on while the target store makes this one durable, and its records
    // are written only after that. One batch commits at a time; while it does, the next one
    // grows up to batch_growth times its size, and only then the read waits.
    class copier final : public message_receiver {
    public:
        copier(pass& p, folder_outcome& outcome, side target,
               const std::vector<synced_message>& records, const boost::asio::any_io_executor& ex)
            : pass_(p)
            , outcome_(outcome)
            , target_(target)
            , records_(records)
            , input_(p.applying_input_)
            , batches_(ex) {}

        // The read of the other store into this receiver; ends the commits behind it. The rest
        // of the batch stays pending (apply: the folder's last commit).
        task<std::error_code> read(std::string folder, std::vector<std::string> ids) {
            left_ = ids.size();
            auto ec = co_await pass_.at(other(target_)).read_messages(folder, ids, *this);
            batches_.close();
            co_return ec;
        }

        // Commits the batches the read hands over, one after the other, until the read ends (in a
        // streamed pass, commit_streamed commits them instead).
        // After a failed commit the later batches are not recorded (the read stops at its next
        // hand-over).
        task<void> commit_behind() {
            for (;;) {
                auto [ec, batch] = co_await batches_.async_receive(
                    boost::asio::as_tuple(boost::asio::use_awaitable));
                if (ec)
                    co_return; // closed: the read is over
                if (commit_error_)
                    continue;
                const std::array<side, 1> sides{target_};
                committing_ = true;
                commit_error_ = co_await pass_.commit_and_record(sides, batch, &outcome_);
                committing_ = false;
            }
        }

        // The read stopped on a failed commit, or a commit behind it failed: nothing more
        // may be recorded for this folder.
        [[nodiscard]] bool commit_failed() const {
            return commit_failed_ || commit_error_ ||
                   (pass_.streamed_ && pass_.streamed_->commit_failed[input_]);
        }

        void add(const action& a) { actions_[*a.id(other(target_))] = &a; }
        [[nodiscard]] std::vector<std::string> ids() const {
            std::vector<std::string> out;
            for (const auto& [id, a] : actions_)
                out.push_back(id);
            return out;
        }

        task<std::error_code> open(const message_header& header, message_sink*& sink) override {
            const auto it = actions_.find(header.id);
            if (it == actions_.end())
                co_return std::make_error_code(std::errc::invalid_argument); // not asked for
            new_message m;
            m.folder = outcome_.folder;
            m.flags = it->second->flags;
            m.size = header.size;
            m.internal_date = header.internal_date;
            if (auto ec = co_await pass_.at(target_).begin_message(m, writer_))
                co_return ec;
            tee_.next = writer_.get();
            tee_.builder.reset();
            sink = &tee_;
            co_return std::error_code{};
        }

        task<std::error_code> close(const message_header& header, std::error_code ec) override {
            auto writer = std::move(writer_);
            if (ec)
                co_return ec; // the writer abandons the message
            std::string new_id;
            if (auto finish_ec = co_await writer->finish(new_id))
                co_return finish_ec;
            const action& a = *actions_.at(header.id);
            pass_.touch(outcome_.folder, target_, new_id);
            if (pass_.options_.on_progress) {
                ++pass_.progress_.done;
                pass_.progress_.bytes += header.size;
                pass_.options_.on_progress(pass_.progress_);
            }
            ++pass_.result_.copied[index(target_)];
            pass_.result_.bytes_copied += header.size;
            synced_message record = record_of(a);
            record.ids[index(target_)] = new_id;
            if (record.identity.empty()) // not identified before: from the bytes copied
                record.identity = tee_.builder.identity(header.size);
            pass_.remember(outcome_.folder, a.record_index ? &records_[*a.record_index] : nullptr,
                           std::move(record));
            if (left_ > 0)
                --left_;
            if (++pass_.pending_writes_ >= pass_.options_.commit_every && !keep_growing() &&
                !take_the_rest())
                if (auto commit_ec = co_await hand_over()) {
                    commit_failed_ = true;
                    co_return commit_ec;
                }
            co_return std::error_code{};
        }

    private:
        // While the commit before runs, the batch grows (up to batch_growth × commit_every)
        // instead of the read waiting for that commit: a slow commit (a loaded disk, a
        // syncfs over other programs' data too) makes the next one bigger, so the commits
        // keep pace with the download. Memory grows by the records and open files of up to
        // that many more messages, hence the bound.
        static constexpr std::size_t batch_growth = 2;
        [[nodiscard]] bool keep_growing() const {
            const bool busy = pass_.streamed_ ? pass_.streamed_->busy : committing_;
            return busy && pass_.pending_writes_ < batch_growth * pass_.options_.commit_every;
        }

        // The folder's last few messages (under half a batch) join the batch instead of being
        // committed on their own at the folder's end (apply's flush, or the folder's last job
        // in a streamed pass): one commit there instead of two.
        [[nodiscard]] bool take_the_rest() const {
            return left_ < pass_.options_.commit_every / 2 &&
                   pass_.pending_writes_ + left_ <= batch_growth * pass_.options_.commit_every;
        }

        // Hands the pending records to commit_behind; completes once it took them, that is
        // once the commit before is done, and returns that commit's error.
        task<std::error_code> hand_over() {
            if (pass_.streamed_) {
                if (commit_failed())
                    co_return outcome_.error;
                commit_job job;
                job.changes = std::exchange(pass_.pending_, {});
                pass_.pending_writes_ = 0;
                job.target = target_;
                job.input = input_;
                job.outcome = &outcome_;
                auto handed = pass_.hand_over_streamed(std::move(job));
                co_await std::move(handed);
                co_return commit_failed() ? outcome_.error : std::error_code{};
            }
            if (commit_error_)
                co_return commit_error_;
            auto batch = std::exchange(pass_.pending_, {});
            pass_.pending_writes_ = 0;
            const boost::system::error_code none;
            (void)co_await batches_.async_send(none, std::move(batch),
                                               boost::asio::as_tuple(boost::asio::use_awaitable));
            // The send completes before commit_behind runs: let it start the commit now rather
            // than after the read's next wait.
            const auto executor = co_await boost::asio::this_coro::executor;
            co_await boost::asio::post(executor, boost::asio::use_awaitable);
            co_return commit_error_;
        }

        // Passes the bytes on to the writer, reading the identity from the header on the way.
        struct identity_tee final : message_sink {
            message_sink* next = nullptr;
            identity_builder builder;
            task<std::error_code> write(std::string_view chunk) override {
                if (!builder.header_complete())
                    builder.feed(chunk);
                co_return co_await next->write(chunk);
            }
            task<std::error_code> write_owned(std::string chunk) override {
                if (!builder.header_complete())
                    builder.feed(chunk);
                auto passed_on = next->write_owned(std::move(chunk)); // GCC 12: no temporary
                co_return co_await std::move(passed_on);
            }
        };

        pass& pass_;
        folder_outcome& outcome_;
        side target_;
        identity_tee tee_;
        const std::vector<synced_message>& records_;
        std::size_t input_;                            // in a streamed pass (commit_job)
        std::map<std::string, const action*> actions_; // by the source's id
        std::unique_ptr<message_writer> writer_;
        // Unbuffered: a send completes when commit_behind takes the batch.
        boost::asio::experimental::channel<void(boost::system::error_code,
                                                std::vector<pending_change>)>
            batches_;
        std::error_code commit_error_; // of a commit behind the read: outcome_ says why
        bool committing_ = false;      // commit_behind is in a commit
        std::size_t left_ = 0;         // messages of the read not finished yet
        bool commit_failed_ = false;
    };

    // Returns the read's error; commit_failed when a group commit failed (the pass must not
    // record more for this folder).
    task<std::error_code> copy_all(folder_outcome& outcome,
                                   const std::vector<const action*>& copies, side target,
                                   const std::vector<synced_message>& records,
                                   bool& commit_failed) {
        using namespace boost::asio::experimental::awaitable_operators;
        // The records of earlier actions wait for both stores' commit, which the commits
        // behind the read (of the target only) do not make. Not for a folder whose commit
        // failed (streamed: perhaps found only now).
        if (!pending_.empty()) {
            co_await drain_streamed();
            if (streamed_ && streamed_->commit_failed[applying_input_]) {
                pending_.clear();
                pending_writes_ = 0;
                commit_failed = true;
                co_return outcome.error;
            }
        }
        if (!pending_.empty())
            if (auto ec = co_await flush(&outcome)) {
                commit_failed = true;
                co_return ec;
            }
        const auto executor = co_await boost::asio::this_coro::executor;
        copier c(*this, outcome, target, records, executor);
        for (const auto* a : copies)
            c.add(*a);
        std::error_code ec;
        if (streamed_)
            ec = co_await c.read(outcome.folder, c.ids());
        else
            ec = co_await (c.read(outcome.folder, c.ids()) && c.commit_behind());
        commit_failed = c.commit_failed();
        if (commit_failed) {
            // Not committed with a batch: recorded by no one (the next pass links them).
            pending_.clear();
            pending_writes_ = 0;
        }
        co_return ec;
    }
};

} // namespace

task<pass_result> run_account_pass(std::array<store*, 2> stores, sync_state& state,
                                   folder_selector select, pass_options options) {
    pass p(stores, state, options);
    co_return co_await p.run(select);
}

} // namespace postfach::sync
