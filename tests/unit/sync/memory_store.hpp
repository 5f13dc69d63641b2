#pragma once
// In-memory store and state for engine tests. Each keeps a durable copy and a working copy:
// changes go to the working copy, commit() makes them durable, crash() throws away what was not
// committed — as a kill -9 would. A store can be told to fail (and so "die") at its N-th
// mutating operation, to test that a pass killed at any step is repaired by the next one.

#include "sync/message_identity.hpp"
#include "sync/store.hpp"
#include "sync/sync_state.hpp"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace postfach::sync::testing {

struct memory_message {
    std::string body;
    flag_bits flags = 0;
};

using memory_folder = std::map<std::string, memory_message>;
using memory_mailbox = std::map<std::string, memory_folder>;

class memory_store final : public store {
public:
    // durable_on_ack: every change is durable at once (like IMAP); else only at commit().
    memory_store(std::string id_prefix, bool durable_on_ack)
        : prefix_(std::move(id_prefix))
        , durable_on_ack_(durable_on_ack) {}

    memory_mailbox& working() { return working_; }
    const memory_mailbox& durable() const { return durable_; }
    void add(const std::string& folder, const std::string& body, flag_bits flags = 0) {
        working_[folder][next_id()] = {body, flags};
        durable_ = working_;
    }
    // Test setup: what was changed in working() is now on disk.
    void make_durable() { durable_ = working_; }
    // Ends a simulated process: uncommitted changes are gone, the store works again.
    void crash() {
        working_ = durable_;
        dead_ = false;
        fail_at_ = -1;
    }
    // The n-th mutating operation from now (0-based) fails and the store is dead after it.
    void fail_at(int n) { fail_at_ = n; }
    [[nodiscard]] bool dead() const { return dead_; }
    // The internal date a message was written with (0: none).
    std::int64_t internal_date(const std::string& id) const {
        const auto it = internal_dates_.find(id);
        return it == internal_dates_.end() ? 0 : it->second;
    }
    void set_internal_date(const std::string& id, std::int64_t date) { internal_dates_[id] = date; }

    // Change tracking as IMAP's CONDSTORE does it, for the engine's rules on scan tokens: every
    // scan gives a new token; scan_since keeps the base it was given and scans in full.
    void enable_tokens() { tokens_ = true; }
    // Tokens that tell an unchanged folder (unchanged_since), as QRESYNC or a Maildir's mtimes
    // do: the token is the folder's content (ids and flags). `survive`: what
    // token_survives_own_changes() answers.
    void enable_content_tokens(bool survive) {
        content_tokens_ = true;
        survive_ = survive;
    }
    int scans = 0; // scan() calls (scan_since included)
    std::optional<scan_base> last_base;

    int reads = 0;     // messages read (read_message, read_messages): transfers
    int mutations = 0; // mutating operations so far

    task<std::error_code> list_folders(std::vector<folder_info>& folders) override {
        for (const auto& [name, f] : working_)
            folders.push_back({name, ""});
        co_return std::error_code{};
    }
    task<std::error_code> create_folder(const std::string& folder) override {
        if (auto ec = mutate())
            co_return ec;
        working_[folder];
        co_return settle();
    }
    task<std::error_code> delete_folder(const std::string& folder) override {
        if (auto ec = mutate())
            co_return ec;
        if (!working_.contains(folder) || !working_[folder].empty())
            co_return std::make_error_code(std::errc::directory_not_empty);
        working_.erase(folder);
        co_return settle();
    }
    task<std::error_code> rename_folder(const std::string& from, const std::string& to) override {
        if (auto ec = mutate())
            co_return ec;
        auto node = working_.extract(from);
        if (node.empty() || working_.contains(to))
            co_return std::make_error_code(std::errc::file_exists);
        node.key() = to;
        working_.insert(std::move(node));
        co_return settle();
    }
    task<std::error_code> scan(const std::string& folder, folder_scan& scan) override {
        if (dead_)
            co_return dead_error();
        if (!working_.contains(folder))
            co_return std::make_error_code(std::errc::no_such_file_or_directory);
        ++scans;
        for (const auto& [id, m] : working_[folder])
            scan.messages.push_back({id, m.flags, ""});
        scan.epoch = epoch_;
        if (tokens_)
            scan.token = "t" + std::to_string(++token_counter_);
        if (content_tokens_)
            scan.token = content_token(folder);
        co_return std::error_code{};
    }
    task<std::error_code> unchanged_since(const std::string& folder, const std::string& epoch,
                                          const std::string& token, bool& unchanged) override {
        unchanged = content_tokens_ && !dead_ && working_.contains(folder) && epoch == epoch_ &&
                    !token.empty() && token == content_token(folder);
        co_return std::error_code{};
    }
    [[nodiscard]] bool token_survives_own_changes() const override { return survive_; }
    bool token_possible(const std::string&) override { return tokens_possible; }
    // What token_possible() answers (a Maildir: false right after a change of its own).
    bool tokens_possible = true;
    task<std::error_code> scan_since(const std::string& folder, const scan_base& base,
                                     folder_scan& result) override {
        last_base = base;
        co_return co_await scan(folder, result);
    }
    // Like a server whose UIDVALIDITY changed: every message gets a new id, the epoch changes.
    void renumber(const std::string& new_epoch) {
        for (auto& [name, folder] : working_) {
            memory_folder renumbered;
            for (auto& [id, m] : folder)
                renumbered[next_id()] = m;
            folder = std::move(renumbered);
        }
        durable_ = working_;
        epoch_ = new_epoch;
    }
    task<std::error_code> identify(const std::string& folder,
                                   std::vector<scanned_message*>& messages) override {
        for (auto* m : messages) {
            // As a real store: from the bytes, as the engine does from those it copies.
            const auto& body = working_[folder].at(m->id).body;
            identity_builder builder;
            builder.feed(body);
            m->identity = builder.identity(body.size());
        }
        co_return std::error_code{};
    }
    task<std::error_code> message_size(const std::string& folder, const std::string& id,
                                       std::uint64_t& size) override {
        size = working_[folder].at(id).body.size();
        co_return std::error_code{};
    }
    task<std::error_code> read_message(const std::string& folder, const std::string& id,
                                       message_sink& sink) override {
        ++reads;
        const auto body = working_[folder].at(id).body;
        // Two chunks, so sinks see a message in pieces.
        const auto half = body.size() / 2;
        if (auto ec = co_await sink.write(std::string_view(body).substr(0, half)))
            co_return ec;
        co_return co_await sink.write(std::string_view(body).substr(half));
    }
    // Last to first, so the engine is seen not to rely on the order it asked for.
    task<std::error_code> read_messages(const std::string& folder,
                                        const std::vector<std::string>& ids,
                                        message_receiver& receiver) override {
        for (auto id = ids.rbegin(); id != ids.rend(); ++id) {
            if (dead_)
                co_return dead_error();
            const auto found = working_[folder].find(*id);
            if (found == working_[folder].end())
                continue; // gone meanwhile: skipped
            const auto m = found->second;
            message_header header{*id, m.body.size(), internal_date(*id)};
            message_sink* sink = nullptr;
            if (auto ec = co_await receiver.open(header, sink))
                co_return ec;
            ++reads;
            const auto half = m.body.size() / 2;
            auto ec = co_await sink->write(std::string_view(m.body).substr(0, half));
            if (!ec)
                ec = co_await sink->write(std::string_view(m.body).substr(half));
            if (auto close_ec = co_await receiver.close(header, ec))
                co_return close_ec;
        }
        co_return std::error_code{};
    }
    task<std::error_code> begin_message(const new_message& message,
                                        std::unique_ptr<message_writer>& writer) override {
        if (auto ec = mutate())
            co_return ec;
        writer = std::make_unique<string_writer>(*this, message);
        co_return std::error_code{};
    }
    task<std::error_code> set_flags(const std::string& folder, const std::string& id, flag_bits add,
                                    flag_bits remove) override {
        if (auto ec = mutate())
            co_return ec;
        auto& m = working_[folder].at(id);
        m.flags = static_cast<flag_bits>((m.flags | add) & ~remove);
        co_return settle();
    }
    task<std::error_code> remove_message(const std::string& folder,
                                         const std::string& id) override {
        if (auto ec = mutate())
            co_return ec;
        working_[folder].erase(id);
        co_return settle();
    }
    task<std::error_code> move_message(const std::string& from_folder, const std::string& id,
                                       const std::string& to_folder, std::string& new_id) override {
        if (auto ec = mutate())
            co_return ec;
        auto node = working_[from_folder].extract(id);
        new_id = durable_on_ack_ ? next_id() : id; // IMAP gives a new UID; a rename keeps the name
        node.key() = new_id;
        working_[to_folder].insert(std::move(node));
        co_return settle();
    }
    task<std::error_code> commit() override {
        if (auto ec = mutate())
            co_return ec;
        durable_ = working_;
        co_return std::error_code{};
    }

private:
    struct string_writer final : message_writer {
        string_writer(memory_store& store, new_message message)
            : store_(store)
            , message_(std::move(message)) {}
        task<std::error_code> write(std::string_view chunk) override {
            data_.append(chunk);
            co_return std::error_code{};
        }
        task<std::error_code> finish(std::string& new_id) override {
            if (store_.dead_)
                co_return dead_error();
            if (data_.size() != message_.size)
                co_return std::make_error_code(std::errc::message_size);
            new_id = store_.next_id();
            store_.working_[message_.folder][new_id] = {data_, message_.flags};
            store_.internal_dates_[new_id] = message_.internal_date;
            co_return store_.settle();
        }
        memory_store& store_;
        new_message message_;
        std::string data_;
    };

    static std::error_code dead_error() { return std::make_error_code(std::errc::io_error); }

    std::error_code mutate() {
        if (dead_)
            return dead_error();
        if (fail_at_ >= 0 && mutations == fail_at_) {
            dead_ = true;
            return dead_error();
        }
        ++mutations;
        return {};
    }
    std::error_code settle() {
        if (durable_on_ack_)
            durable_ = working_;
        return {};
    }
    std::string next_id() { return prefix_ + std::to_string(++counter_); }

    std::string prefix_;
    bool durable_on_ack_;
    memory_mailbox working_, durable_;
    int counter_ = 0;
    std::string epoch_;
    int fail_at_ = -1;
    bool dead_ = false;
    std::map<std::string, std::int64_t> internal_dates_; // by id
    bool tokens_ = false;
    int token_counter_ = 0;
    bool content_tokens_ = false;
    bool survive_ = true;

    std::string content_token(const std::string& folder) {
        std::string token = "c";
        for (const auto& [id, m] : working_[folder])
            token += id + ":" + std::to_string(m.flags) + ";";
        return token;
    }
};

class memory_state final : public sync_state {
public:
    std::error_code known_folders(std::vector<std::string>& folders) override {
        folders.assign(working_folders_.begin(), working_folders_.end());
        return {};
    }
    void add_folder(const std::string& folder) override { working_folders_.insert(folder); }
    void rename_folder(const std::string& from, const std::string& to) override {
        working_folders_.erase(from);
        working_folders_.insert(to);
        auto node = working_.extract(from);
        if (!node.empty()) {
            node.key() = to;
            working_.insert(std::move(node));
        }
    }
    void forget_folder(const std::string& folder) override {
        working_folders_.erase(folder);
        working_.erase(folder);
    }
    std::string epoch(const std::string& folder, side s) override {
        return working_epochs_[{folder, s}];
    }
    void set_epoch(const std::string& folder, side s, const std::string& epoch) override {
        working_epochs_[{folder, s}] = epoch;
    }
    std::string scan_token(const std::string& folder, side s) override {
        return working_tokens_[{folder, s}];
    }
    void set_scan_token(const std::string& folder, side s, const std::string& token) override {
        working_tokens_[{folder, s}] = token;
    }
    std::error_code load(const std::string& folder, std::vector<synced_message>& records) override {
        records = working_[folder];
        return {};
    }
    void put(const std::string& folder, const synced_message* previous,
             const synced_message& record) override {
        auto& list = working_[folder];
        std::erase_if(list, [&](const synced_message& r) {
            return shares_id(r, record) || (previous != nullptr && shares_id(r, *previous));
        });
        list.push_back(record);
    }
    void erase(const std::string& folder, const synced_message& record) override {
        std::erase_if(working_[folder],
                      [&](const synced_message& r) { return shares_id(r, record); });
    }
    std::error_code commit() override {
        durable_ = working_;
        durable_folders_ = working_folders_;
        durable_epochs_ = working_epochs_;
        durable_tokens_ = working_tokens_;
        return {};
    }
    void rollback() override {
        working_ = durable_;
        working_folders_ = durable_folders_;
        working_epochs_ = durable_epochs_;
        working_tokens_ = durable_tokens_;
    }
    void crash() { rollback(); }
    const std::set<std::string>& folders() const { return durable_folders_; }
    const std::vector<synced_message>& records(const std::string& folder) {
        return durable_[folder];
    }

private:
    static bool shares_id(const synced_message& a, const synced_message& b) {
        for (int s = 0; s < 2; ++s)
            if (a.ids[s] && a.ids[s] == b.ids[s])
                return true;
        return false;
    }
    std::map<std::string, std::vector<synced_message>> working_, durable_;
    std::set<std::string> working_folders_, durable_folders_;
    std::map<std::pair<std::string, side>, std::string> working_epochs_, durable_epochs_;
    std::map<std::pair<std::string, side>, std::string> working_tokens_, durable_tokens_;
};

} // namespace postfach::sync::testing
