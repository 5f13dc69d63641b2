#include "state/sqlite_sync_state.hpp"

#include "state/state_errc.hpp"

#include <charconv>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>

namespace postfach::state {
namespace {

constexpr std::string_view flag_letter_order = "DFPRST"; // bit i is letter i (sync/plan.hpp)

constexpr int index(sync::side s) {
    return static_cast<int>(s);
}

// A UID or UIDVALIDITY: a decimal number that fits 32 bits, nothing else.
std::optional<std::uint32_t> parse_u32(std::string_view text) {
    std::uint32_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end)
        return std::nullopt;
    return value;
}

sync::synced_message to_synced(const state_store::message_keys& m) {
    sync::synced_message r;
    if (m.uid)
        r.ids[index(sync::side::remote)] = std::to_string(*m.uid);
    if (m.base_name)
        r.ids[index(sync::side::local)] = std::string(*m.base_name);
    r.flags = flags_from_column(m.flags);
    r.identity = m.identity;
    return r;
}

} // namespace

std::string flags_to_column(sync::flag_bits flags) {
    return sync::flag_letters(flags);
}

sync::flag_bits flags_from_column(std::string_view letters) {
    sync::flag_bits bits = 0;
    for (const char c : letters)
        if (const auto at = flag_letter_order.find(c); at != std::string_view::npos)
            bits = static_cast<sync::flag_bits>(bits | (1U << at));
    return bits;
}

sqlite_sync_state::sqlite_sync_state(state_store& store)
    : store_(store) {}

sqlite_sync_state::~sqlite_sync_state() = default; // the transaction rolls back

bool sqlite_sync_state::writable() {
    if (failed_)
        return false;
    if (transaction_.active())
        return true;
    if (auto ec = store_.begin(transaction_)) {
        fail(ec);
        return false;
    }
    return true;
}

void sqlite_sync_state::fail(std::error_code ec) {
    if (!failed_)
        failed_ = ec;
    transaction_.rollback();
    last_folder_id_.reset();
    fresh_folders_.forget_all();
}

std::optional<std::int64_t> sqlite_sync_state::folder_id(const std::string& folder, bool create) {
    if (last_folder_id_ && last_folder_id_->first == folder)
        return last_folder_id_->second;
    const auto row = folder_row(folder, create);
    if (!row)
        return std::nullopt;
    last_folder_id_.emplace(folder, row->id);
    return row->id;
}

std::optional<folder_record> sqlite_sync_state::folder_row(const std::string& folder, bool create) {
    std::optional<folder_record> row;
    if (auto ec = store_.find_folder(folder, row)) {
        fail(ec);
        return std::nullopt;
    }
    if (row || !create)
        return row;
    folder_record fresh;
    fresh.name = folder;
    if (auto ec = store_.save_folder(fresh)) {
        fail(ec);
        return std::nullopt;
    }
    return fresh;
}

std::error_code sqlite_sync_state::erase_sharing(std::int64_t folder_id,
                                                 const sync::synced_message& r) {
    if (const auto& uid_text = r.id(sync::side::remote)) {
        const auto uid = parse_u32(*uid_text);
        if (!uid)
            return state_errc::invalid_record;
        std::optional<message_record> found;
        if (auto ec = store_.find_message_by_uid(folder_id, *uid, found))
            return ec;
        if (found)
            if (auto ec = store_.delete_message(found->id))
                return ec;
    }
    if (const auto& base = r.id(sync::side::local)) {
        // Base names are not unique in the table (a foreign copy may share one): all go.
        while (true) {
            std::optional<message_record> found;
            if (auto ec = store_.find_message_by_base_name(folder_id, *base, found))
                return ec;
            if (!found)
                break;
            if (auto ec = store_.delete_message(found->id))
                return ec;
        }
    }
    return {};
}

bool sqlite_sync_state::may_share_ids(const message_record& m, std::error_code& ec) {
    if (!fresh_folders_.seen(m.folder_id)) {
        bool with_uid = false;
        bool with_base_name = false;
        if ((ec = store_.any_messages(m.folder_id, with_uid, with_base_name)))
            return true;
        fresh_folders_.note_seen(m.folder_id, !with_uid && !with_base_name);
    }
    return fresh_folders_.may_share(m.folder_id, m.uid, m.base_name);
}

std::error_code sqlite_sync_state::known_folders(std::vector<std::string>& folders) {
    const std::lock_guard lock(mutex_);
    std::vector<folder_record> rows;
    if (auto ec = store_.list_folders(rows))
        return ec;
    folders.clear();
    for (auto& row : rows)
        folders.push_back(std::move(row.name));
    return {};
}

void sqlite_sync_state::add_folder(const std::string& folder) {
    const std::lock_guard lock(mutex_);
    if (writable())
        folder_row(folder, true);
}

void sqlite_sync_state::rename_folder(const std::string& from, const std::string& to) {
    const std::lock_guard lock(mutex_);
    last_folder_id_.reset();
    if (!writable())
        return;
    const auto row = folder_row(from, false);
    if (failed_)
        return;
    if (!row) {
        folder_row(to, true);
        return;
    }
    if (auto ec = store_.rename_folder(row->id, to))
        fail(ec);
}

void sqlite_sync_state::forget_folder(const std::string& folder) {
    const std::lock_guard lock(mutex_);
    last_folder_id_.reset();
    if (!writable())
        return;
    if (const auto row = folder_row(folder, false))
        if (auto ec = store_.delete_folder(row->id)) // its records go with it (cascade)
            fail(ec);
}

std::string sqlite_sync_state::epoch(const std::string& folder, sync::side s) {
    const std::lock_guard lock(mutex_);
    if (s == sync::side::local)
        return "";
    std::optional<folder_record> row;
    if (auto ec = store_.find_folder(folder, row)) {
        fail(ec); // "" would hide a changed UIDVALIDITY: the commit must fail instead
        return "";
    }
    return row && row->uidvalidity != 0 ? std::to_string(row->uidvalidity) : std::string();
}

void sqlite_sync_state::set_epoch(const std::string& folder, sync::side s,
                                  const std::string& epoch) {
    const std::lock_guard lock(mutex_);
    if (s == sync::side::local)
        return; // always "" (see the header)
    const auto uidvalidity = epoch.empty() ? std::optional<std::uint32_t>(0) : parse_u32(epoch);
    if (!writable())
        return;
    if (!uidvalidity) {
        fail(state_errc::invalid_record);
        return;
    }
    auto row = folder_row(folder, *uidvalidity != 0);
    if (!row || row->uidvalidity == *uidvalidity)
        return;
    row->uidvalidity = *uidvalidity;
    if (auto ec = store_.save_folder(*row))
        fail(ec);
}

std::string sqlite_sync_state::scan_token(const std::string& folder, sync::side s) {
    const std::lock_guard lock(mutex_);
    std::optional<folder_record> row;
    if (auto ec = store_.find_folder(folder, row)) {
        fail(ec);
        return "";
    }
    if (!row)
        return "";
    if (s == sync::side::local)
        return row->local_token;
    return row->highestmodseq != 0 ? std::to_string(row->highestmodseq) : std::string();
}

void sqlite_sync_state::set_scan_token(const std::string& folder, sync::side s,
                                       const std::string& token) {
    const std::lock_guard lock(mutex_);
    if (!writable())
        return;
    if (s == sync::side::local) {
        auto row = folder_row(folder, !token.empty());
        if (!row || row->local_token == token)
            return;
        row->local_token = token;
        if (auto ec = store_.save_folder(*row))
            fail(ec);
        return;
    }
    std::uint64_t modseq = 0;
    if (!token.empty()) {
        const auto* end = token.data() + token.size();
        const auto [ptr, ec] = std::from_chars(token.data(), end, modseq);
        // RFC 7162 §3.1: mod-sequences are 63-bit; SQLite's INTEGER is signed 64-bit.
        if (ec != std::errc() || ptr != end || modseq > INT64_MAX) {
            fail(state_errc::invalid_record);
            return;
        }
    }
    auto row = folder_row(folder, modseq != 0);
    if (!row || row->highestmodseq == modseq)
        return;
    row->highestmodseq = modseq;
    if (auto ec = store_.save_folder(*row))
        fail(ec);
}

std::error_code sqlite_sync_state::load(const std::string& folder,
                                        std::vector<sync::synced_message>& records) {
    const std::lock_guard lock(mutex_);
    records.clear();
    std::optional<folder_record> row;
    if (auto ec = store_.find_folder(folder, row))
        return ec;
    if (!row)
        return {};
    return store_.visit_message_keys(
        row->id, [&](const state_store::message_keys& m) { records.push_back(to_synced(m)); });
}

std::error_code sqlite_sync_state::has_records(const std::string& folder,
                                               std::array<bool, 2>& any) {
    const std::lock_guard lock(mutex_);
    any = {};
    std::optional<folder_record> row;
    if (auto ec = store_.find_folder(folder, row))
        return ec;
    if (!row)
        return {};
    return store_.any_messages(row->id, any[index(sync::side::remote)],
                               any[index(sync::side::local)]);
}

void sqlite_sync_state::put(const std::string& folder, const sync::synced_message* previous,
                            const sync::synced_message& record) {
    const std::lock_guard lock(mutex_);
    if (!writable())
        return;
    const auto id = folder_id(folder, true);
    if (!id)
        return;
    message_record m;
    m.folder_id = *id;
    if (const auto& uid_text = record.id(sync::side::remote)) {
        m.uid = parse_u32(*uid_text);
        if (!m.uid) {
            fail(state_errc::invalid_record);
            return;
        }
    }
    m.base_name = record.id(sync::side::local);
    m.flags = flags_to_column(record.flags);
    m.identity = record.identity;
    std::error_code ec;
    if (previous != nullptr)
        ec = erase_sharing(*id, *previous);
    if (!ec) {
        const bool may_share = may_share_ids(m, ec);
        if (!ec && may_share)
            ec = erase_sharing(*id, record);
    }
    if (!ec)
        ec = store_.save_message(m);
    if (ec)
        fail(ec);
    else
        fresh_folders_.note_put(m.folder_id, m.uid, m.base_name);
}

void sqlite_sync_state::erase(const std::string& folder, const sync::synced_message& record) {
    const std::lock_guard lock(mutex_);
    if (!writable())
        return;
    if (const auto id = folder_id(folder, false))
        if (auto ec = erase_sharing(*id, record))
            fail(ec);
}

bool sqlite_sync_state::finish_failed_or_empty(std::error_code& ec) {
    last_folder_id_.reset();
    if (failed_) {
        ec = std::exchange(failed_, std::error_code{});
        transaction_.rollback();
        fresh_folders_.forget_all();
        return true;
    }
    return !transaction_.active();
}

bool sqlite_sync_state::finish_failed_or_empty_under_lock(std::error_code& ec) {
    const std::lock_guard lock(mutex_);
    return finish_failed_or_empty(ec);
}

std::error_code sqlite_sync_state::commit() {
    const std::lock_guard lock(mutex_);
    std::error_code ec;
    if (finish_failed_or_empty(ec))
        return ec;
    ec = transaction_.commit();
    if (ec) // rolled back
        fresh_folders_.forget_all();
    return ec;
}

boost::asio::awaitable<std::error_code>
sqlite_sync_state::async_commit_changes(std::vector<sync::record_change>& changes) {
    // The job owns the changes: if the awaiting coroutine goes, the job still ends (the
    // worker's destructor waits for it). Each change and the COMMIT take mutex_ on their own,
    // so a read on the loop waits for one record at most, or for the COMMIT.
    // Nothing to write (a pass that changed nothing, a failed change): no thread for it.
    std::error_code ec;
    if (changes.empty() && finish_failed_or_empty_under_lock(ec))
        co_return ec;
    auto batch = std::make_shared<std::vector<sync::record_change>>(std::move(changes));
    std::function<std::error_code()> job = [this, batch] {
        for (const auto& c : *batch)
            apply(c);
        return commit();
    };
    ec = co_await committer_.run(std::move(job));
    if (ec != std::errc::operation_canceled) // else the job may still use them
        changes = std::move(*batch);
    co_return ec;
}

void sqlite_sync_state::rollback() {
    const std::lock_guard lock(mutex_);
    last_folder_id_.reset();
    transaction_.rollback();
    fresh_folders_.forget_all();
    failed_.clear();
}

} // namespace postfach::state
