#include "imap/imap_store.hpp"

#include "imap/body_sink.hpp"
#include "imap/date_time.hpp"
#include "imap/imap_errc.hpp"
#include "imap/imap_store_errc.hpp"
#include "imap/mailbox_name.hpp"
#include "imap/message_id.hpp"
#include "sync/message_identity.hpp"
#include "util/ascii.hpp"
#include "util/server_text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <ctime>
#include <deque>
#include <set>
#include <unordered_map>

namespace postfach::imap {

namespace {

constexpr std::array<const char*, 6> flag_names{"\\Draft",    "\\Flagged", "$Forwarded",
                                                "\\Answered", "\\Seen",    "\\Deleted"};
constexpr std::size_t identify_batch = 256; // UIDs per UID FETCH of headers
constexpr std::size_t max_set_chars = 4000; // keeps command lines well under 8 KB
// Bodies per UID FETCH: enough to keep the connection busy, few enough that a failed command
// costs little and the next one is queued (pipelined) long before this one ends.
constexpr std::size_t body_batch_messages = 256;
constexpr std::uint64_t body_batch_bytes = 8 * 1024 * 1024;
// UID FETCH commands of bodies in flight: as many as keep the server sending across a round
// trip (at 50 ms, 2 commands of small messages left it idle a third of the time; bench/README),
// bounded by the bytes they ask for, which a receiver's error leaves to be read to their end.
// A command always goes when none is in flight. The session's own bound is 8 (the scans sent
// ahead add up to 4: send_early_scans).
constexpr std::size_t body_pipeline_depth = 4;
constexpr std::uint64_t body_pipeline_bytes = 16 * 1024 * 1024;

// A decimal number that fills the whole text (a UID, a UIDVALIDITY, a mod-sequence).
template <typename Number>
bool parse_number(std::string_view text, Number& out) {
    const auto* end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && p == end && !text.empty();
}

// The UIDVALIDITY and HIGHESTMODSEQ a base's epoch and token name (scan_base, expected_scan);
// none when they are empty or not non-zero numbers (a base that cannot be resynchronised from).
std::optional<qresync_parameters> base_origin(std::string_view epoch, std::string_view token) {
    qresync_parameters origin;
    if (!parse_number(epoch, origin.uidvalidity) || !parse_number(token, origin.modseq) ||
        origin.uidvalidity == 0 || origin.modseq == 0)
        return std::nullopt;
    return origin;
}

// A folder's UIDs and flags, sorted by UID (no tree node per message: a scan of a large
// folder holds thousands).
using uid_flags = std::vector<std::pair<std::uint32_t, sync::flag_bits>>;

// Sets the flags of `updates` in `messages` (both sorted by UID once `updates` is sorted
// here); of several updates of one UID the last counts, as in the order they came.
void merge_flags(uid_flags& messages, uid_flags updates) {
    if (updates.empty())
        return;
    std::stable_sort(updates.begin(), updates.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    uid_flags merged;
    merged.reserve(messages.size() + updates.size());
    auto m = messages.begin();
    for (auto u = updates.begin(); u != updates.end(); ++u) {
        if (std::next(u) != updates.end() && std::next(u)->first == u->first)
            continue; // a later update of the same UID
        while (m != messages.end() && m->first < u->first)
            merged.push_back(*m++);
        if (m != messages.end() && m->first == u->first)
            ++m;
        merged.push_back(*u);
    }
    merged.insert(merged.end(), m, messages.end());
    messages = std::move(merged);
}

bool has_uid(const uid_flags& messages, std::uint32_t uid) {
    const auto it = std::lower_bound(messages.begin(), messages.end(), uid,
                                     [](const auto& m, std::uint32_t u) { return m.first < u; });
    return it != messages.end() && it->first == uid;
}

std::vector<std::string> names_of(sync::flag_bits bits) {
    std::vector<std::string> names;
    for (unsigned bit = 0; bit < flag_names.size(); ++bit)
        if ((bits & (1U << bit)) != 0)
            names.emplace_back(flag_names[bit]);
    return names;
}

// Built outside coroutines: GCC 12 miscompiles braced lists of string literals in coroutines.
std::vector<std::string> scan_items() {
    return {"FLAGS", "RFC822.SIZE", "INTERNALDATE"};
}
std::vector<std::string> size_item() {
    return {"RFC822.SIZE"};
}
std::vector<std::string> meta_items() {
    return {"RFC822.SIZE", "INTERNALDATE"};
}
// UID first: servers that answer in the order asked name the UID before the body.
std::vector<std::string> bodies_items() {
    return {"UID", "BODY.PEEK[]"};
}
std::vector<std::string> identity_items() {
    return {"RFC822.SIZE", "BODY.PEEK[HEADER]"};
}
std::vector<std::string> body_item() {
    return {"BODY.PEEK[]"};
}
uid_set one_uid(std::uint32_t uid) {
    return uid_set::from_uids(std::vector<std::uint32_t>(1, uid));
}
std::vector<std::string> message_id_items() {
    return {"RFC822.SIZE", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"};
}
std::vector<std::string> qresync_capability() {
    return {"QRESYNC"};
}
// What a listing tells of each folder for unchanged_since (RFC 7162 §3.1.6, §3.2.3: with
// QRESYNC, expunges raise HIGHESTMODSEQ too).
std::vector<std::string> listed_status_items() {
    return {"UIDVALIDITY", "HIGHESTMODSEQ"};
}
std::vector<std::string> deleted_flag() {
    return {"\\Deleted"};
}

const char* const special_uses[] = {"\\All",  "\\Archive", "\\Drafts", "\\Flagged",
                                    "\\Junk", "\\Sent",    "\\Trash"};

std::string special_use_of(const list_data& l) {
    for (const auto& a : l.attributes)
        for (const char* use : special_uses)
            if (util::ascii_iequals(a, use))
                return use;
    return {};
}

bool has_attribute(const list_data& l, std::string_view name) {
    return std::any_of(l.attributes.begin(), l.attributes.end(),
                       [&](const std::string& a) { return util::ascii_iequals(a, name); });
}

// The response code of the given kind, from the tagged response or an untagged OK (Dovecot
// sends MOVE's COPYUID untagged, before the EXPUNGEs; RFC 6851 §4.3).
const response_code* find_code(const command_result& r, response_code_kind kind) {
    if (r.status.code && r.status.code->kind == kind)
        return &*r.status.code;
    for (const auto& u : r.untagged)
        if (const auto* s = std::get_if<status_response>(&u);
            s != nullptr && s->code && s->code->kind == kind)
            return &*s->code;
    return nullptr;
}

// Collects the header blocks of a UID FETCH (BODY.PEEK[HEADER]) by sequence number.
class header_collector final : public body_sink {
public:
    std::unordered_map<std::uint32_t, std::string> headers;

    void begin(const body_section_header& h) override {
        const bool header = h.item == "BODY" && h.section.size() >= 6 &&
                            util::ascii_iequals(h.section.substr(0, 6), "HEADER");
        current_ = header ? &headers[h.seq] : nullptr;
        if (current_ != nullptr)
            current_->clear();
    }
    void data(std::string_view chunk) override {
        if (current_ != nullptr)
            current_->append(chunk);
    }
    void end() override { current_ = nullptr; }

private:
    std::string* current_ = nullptr;
};

// Keeps the part of BODY[] the last read brought, for the caller to pass on asynchronously.
class body_relay final : public body_sink {
public:
    std::string pending;
    bool began = false;
    bool ended = false;

    void begin(const body_section_header& h) override {
        active_ = h.item == "BODY" && h.section.empty() && !began;
        began = began || active_;
    }
    void data(std::string_view chunk) override {
        if (active_)
            pending.append(chunk);
    }
    void end() override {
        if (active_)
            ended = true;
        active_ = false;
    }

private:
    bool active_ = false;
};

// Detaches a body sink from the parser when the operation ends, however it ends.
class sink_guard {
public:
    sink_guard(client_session& session, body_sink& sink)
        : session_(session) {
        session_.fsm().parser().set_body_sink(&sink);
    }
    ~sink_guard() { session_.fsm().parser().set_body_sink(nullptr); }
    sink_guard(const sink_guard&) = delete;
    sink_guard& operator=(const sink_guard&) = delete;

private:
    client_session& session_;
};

// Queues the BODY[] parts of a batch FETCH as the parser hands them over, for read_messages to
// pass on asynchronously after each read: memory stays bounded by one read, whatever the size
// of the messages.
class body_queue final : public body_sink {
public:
    struct event {
        enum class kind { begin, data, end };
        kind type = kind::begin;
        std::uint32_t uid = 0; // begin: 0 when the server named no UID before the body
        std::uint64_t size = 0;
        std::string bytes;
    };
    std::deque<event> events;

    void begin(const body_section_header& h) override {
        active_ = h.item == "BODY" && h.section.empty() && !h.origin;
        if (active_) {
            auto& e = push(event::kind::begin);
            e.uid = h.uid.value_or(0);
            e.size = h.size;
            remaining_ = h.size;
        }
    }
    void data(std::string_view chunk) override {
        if (!active_)
            return;
        if (events.empty() || events.back().type != event::kind::data) {
            // Sized for the rest of the message (up to about what a read brings): the sink
            // may keep the string as the message's buffer (message_sink::write_owned).
            push(event::kind::data)
                .bytes.reserve(
                    static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, max_reserve)));
        }
        events.back().bytes.append(chunk);
        remaining_ -= std::min<std::uint64_t>(remaining_, chunk.size());
    }
    // Whether the only event is the open body's data, short of max_reserve: the reader leaves
    // it to collect the rest of the body from the next reads, so a small message reaches the
    // sink as one string (no second copy into the sink's buffer, one write instead of one per
    // read).
    [[nodiscard]] bool collecting() const noexcept {
        return active_ && events.size() == 1 && events.back().type == event::kind::data &&
               events.back().bytes.size() < max_reserve;
    }
    void end() override {
        if (active_)
            push(event::kind::end);
        active_ = false;
    }

private:
    event& push(event::kind type) {
        events.emplace_back();
        events.back().type = type;
        return events.back();
    }
    static constexpr std::uint64_t max_reserve = 64 * 1024;
    bool active_ = false;
    std::uint64_t remaining_ = 0; // bytes of the open body not queued yet
};

} // namespace

const char* flag_name(unsigned bit) noexcept {
    return bit < flag_names.size() ? flag_names[bit] : nullptr;
}

std::optional<unsigned> flag_bit(std::string_view flag) noexcept {
    for (unsigned bit = 0; bit < flag_names.size(); ++bit)
        if (util::ascii_iequals(flag, flag_names[bit]))
            return bit;
    return std::nullopt;
}

sync::flag_bits flags_to_bits(const std::vector<std::string>& flags) noexcept {
    sync::flag_bits bits = 0;
    for (const auto& f : flags)
        if (const auto bit = flag_bit(f))
            bits = static_cast<sync::flag_bits>(bits | (1U << *bit));
    return bits;
}

imap_store::imap_store(client_session& session)
    : session_(session) {}

std::error_code imap_store::fail(std::error_code ec, std::string diagnostics) {
    diagnostics_ = std::move(diagnostics);
    return ec;
}

void imap_store::forget(const std::string& folder) {
    const auto under = [&](const std::string& name) {
        return name == folder || (name.size() > folder.size() && name.starts_with(folder) &&
                                  name[folder.size()] == '/');
    };
    std::erase_if(uidvalidity_, [&](const auto& entry) { return under(entry.first); });
    std::erase_if(scanned_, [&](const auto& entry) { return under(entry.first); });
    std::erase_if(meta_, [&](const auto& entry) { return under(entry.first); });
    std::erase_if(listed_, [&](const auto& entry) { return under(entry.first); });
}

void imap_store::learn_meta(const std::string& folder, const command_result& r) {
    auto& known = meta_[folder];
    for (const auto& u : r.untagged) {
        const auto* f = std::get_if<fetch_data>(&u);
        if (f == nullptr || !f->uid || !f->rfc822_size)
            continue;
        auto& m = known[*f->uid];
        m.size = *f->rfc822_size;
        if (f->internal_date)
            m.internal_date = parse_date_time(*f->internal_date).value_or(0);
    }
}

std::error_code imap_store::wire_name(const std::string& folder, std::string& wire) {
    std::string name = folder;
    if (delimiter_ != '/')
        std::replace(name.begin(), name.end(), '/', delimiter_);
    if (const auto ec = encode_mailbox_name(name, wire))
        return fail(ec, "folder name " + util::quote_server_text(folder));
    return {};
}

std::error_code imap_store::parse_id(const std::string& id, std::uint32_t& uid) {
    const auto* end = id.data() + id.size();
    const auto [p, ec] = std::from_chars(id.data(), end, uid);
    if (ec != std::errc() || p != end || uid == 0 || id.front() == '0')
        return fail(imap_store_errc::invalid_id, "message id " + util::quote_server_text(id));
    return {};
}

sync::task<std::error_code> imap_store::run(command cmd, command_result& result,
                                            const run_options& options) {
    if (const auto ec = co_await read_scans_sent_ahead())
        co_return ec;
    const std::string name = cmd.name;
    const auto ec = co_await session_.run(std::move(cmd), result, options);
    co_return outcome(ec, name, result);
}

std::error_code imap_store::outcome(std::error_code ec, const std::string& name,
                                    const command_result& result) {
    if (ec) {
        selected_.reset();
        return fail(ec, name + ": " + session_.diagnostics());
    }
    if (result.status.status != status_word::ok)
        return fail(imap_errc::command_failed,
                    name + " refused: " + util::quote_server_text(result.status.text));
    return {};
}

std::error_code imap_store::folder_name(const std::string& wire, std::string& name) {
    if (const auto ec = decode_mailbox_name(wire, name))
        return fail(ec, "LIST: folder " + util::quote_server_text(wire));
    if (delimiter_ != '/')
        std::replace(name.begin(), name.end(), delimiter_, '/');
    // INBOX is case-insensitive (RFC 3501 §5.1); the engine compares names exactly.
    if (util::ascii_iequals(name, "INBOX"))
        name = "INBOX";
    return {};
}

sync::task<std::error_code> imap_store::select(const std::string& folder, bool fresh,
                                               select_options options, command_result* result) {
    if (const auto ec = co_await read_scans_sent_ahead())
        co_return ec;
    if (!fresh && selected_ == folder)
        co_return std::error_code();
    std::string wire;
    if (const auto ec = wire_name(folder, wire))
        co_return ec;
    selected_.reset();
    command_result own;
    command_result& r = result != nullptr ? *result : own;
    if (const auto ec = co_await run(session_.fsm().writer().select(wire, options), r))
        co_return ec;
    co_return take_selected(folder, fresh, options, r);
}

std::error_code imap_store::take_selected(const std::string& folder, bool fresh,
                                          const select_options& options, const command_result& r) {
    const bool condstore = options.condstore || options.qresync;
    std::optional<std::uint32_t> uidvalidity;
    selected_exists_ = 0;
    selected_modseq_.reset();
    for (const auto& u : r.untagged) {
        if (const auto* s = std::get_if<status_response>(&u);
            s != nullptr && s->code && s->code->kind == response_code_kind::uidvalidity)
            uidvalidity = static_cast<std::uint32_t>(s->code->number);
        else if (s != nullptr && s->code && s->code->kind == response_code_kind::highestmodseq &&
                 condstore)
            selected_modseq_ = s->code->number;
        else if (const auto* e = std::get_if<exists_data>(&u))
            selected_exists_ = e->count;
    }
    if (r.status.code && r.status.code->kind == response_code_kind::highestmodseq && condstore)
        selected_modseq_ = r.status.code->number;
    if (!uidvalidity || *uidvalidity == 0)
        return fail(imap_store_errc::no_uidvalidity, "SELECT " + util::quote_server_text(folder));
    // A scan (fresh) starts a new epoch; any other operation acts on ids of the last scan.
    auto [known, inserted] = uidvalidity_.try_emplace(folder, *uidvalidity);
    if (!inserted && known->second != *uidvalidity) {
        if (!fresh)
            return fail(imap_store_errc::uidvalidity_changed,
                        "folder " + util::quote_server_text(folder) + ": UIDVALIDITY " +
                            std::to_string(known->second) + " -> " + std::to_string(*uidvalidity));
        known->second = *uidvalidity;
        meta_.erase(folder); // sizes and dates of the old UIDs
    }
    selected_ = folder;
    return {};
}

sync::task<std::error_code> imap_store::deselect() {
    if (!selected_)
        co_return std::error_code();
    command_result r;
    auto& writer = session_.fsm().writer();
    if (session_.fsm().has_capability("UNSELECT")) {
        if (const auto ec = co_await run(writer.unselect(), r))
            co_return ec;
    } else {
        // CLOSE would expunge a SELECTed folder; after EXAMINE (read-only) it does not.
        std::string wire;
        if (const auto ec = wire_name(*selected_, wire))
            co_return ec;
        if (const auto ec = co_await run(writer.examine(wire), r))
            co_return ec;
        if (const auto ec = co_await run(writer.close(), r))
            co_return ec;
    }
    selected_.reset();
    co_return std::error_code();
}

sync::task<std::error_code> imap_store::list_folders(std::vector<sync::folder_info>& folders) {
    if (const auto ec = co_await read_scans_sent_ahead()) // ENABLE and LIST are pipelined below
        co_return ec;
    auto& fsm = session_.fsm();
    list_return_options returns;
    returns.special_use = fsm.has_capability("SPECIAL-USE");
    const bool with_status = fsm.has_capability("LIST-STATUS") && fsm.has_capability("QRESYNC");
    if (with_status)
        returns.status_items = listed_status_items();
    listed_.clear();
    command_result r;
    if (!qresync_tried_ && !selected_) {
        // ENABLE QRESYNC (needed before the first scan) does not depend on the listing: one
        // round trip for both. Untagged responses may come with either command's result.
        qresync_tried_ = true;
        const bool enable = fsm.has_capability("QRESYNC");
        std::string enable_tag;
        std::string list_tag;
        if (enable)
            if (const auto ec =
                    session_.submit(fsm.writer().enable(qresync_capability()), enable_tag))
                co_return fail(ec, "ENABLE: " + session_.diagnostics());
        if (const auto ec = session_.submit(fsm.writer().list("", "*", returns), list_tag))
            co_return fail(ec, "LIST: " + session_.diagnostics());
        command_result enabled;
        std::error_code enable_ec;
        if (enable)
            enable_ec = outcome(co_await session_.wait(enable_tag, enabled), "ENABLE", enabled);
        // Read the LIST's answer even after a refused ENABLE: the session stays usable.
        if (const auto ec = outcome(co_await session_.wait(list_tag, r), "LIST", r))
            co_return ec;
        if (enable_ec)
            co_return enable_ec;
        r.untagged.insert(r.untagged.begin(), enabled.untagged.begin(), enabled.untagged.end());
        note_enabled(r.untagged);
    } else if (const auto ec = co_await run(fsm.writer().list("", "*", returns), r)) {
        co_return ec;
    }
    for (const auto& u : r.untagged) {
        const auto* l = std::get_if<list_data>(&u);
        if (l == nullptr || l->lsub)
            continue;
        if (l->delimiter)
            delimiter_ = *l->delimiter;
    }
    for (const auto& u : r.untagged) {
        const auto* l = std::get_if<list_data>(&u);
        if (l == nullptr || l->lsub || has_attribute(*l, "\\Noselect") ||
            has_attribute(*l, "\\NonExistent"))
            continue;
        sync::folder_info f;
        if (const auto ec = folder_name(l->mailbox, f.name))
            co_return ec;
        f.special_use = special_use_of(*l);
        folders.push_back(std::move(f));
    }
    // Only what a server with QRESYNC enabled reports counts; HIGHESTMODSEQ 0 means the folder
    // has no persistent mod-sequences (RFC 7162 §3.1.6): never a match for a token. The
    // selected folder's STATUS need not be current (RFC 3501 §6.3.10): not taken.
    if (!with_status || !qresync_)
        co_return std::error_code();
    for (const auto& u : r.untagged) {
        const auto* st = std::get_if<status_data>(&u);
        if (st == nullptr)
            continue;
        const auto uidvalidity = st->get("UIDVALIDITY");
        const auto modseq = st->get("HIGHESTMODSEQ");
        std::string name;
        if (!uidvalidity || !modseq || *uidvalidity == 0 || *modseq == 0 ||
            *uidvalidity > UINT32_MAX || folder_name(st->mailbox, name) || selected_ == name)
            continue;
        listed_[name] = {static_cast<std::uint32_t>(*uidvalidity), *modseq};
    }
    co_return std::error_code();
}

sync::task<std::error_code> imap_store::create_folder(const std::string& folder) {
    forget(folder);
    std::string wire;
    if (const auto ec = wire_name(folder, wire))
        co_return ec;
    command_result r;
    co_return co_await run(session_.fsm().writer().create(wire), r);
}

sync::task<std::error_code> imap_store::delete_folder(const std::string& folder) {
    std::string wire;
    if (const auto ec = wire_name(folder, wire))
        co_return ec;
    if (selected_ == folder)
        if (const auto ec = co_await deselect())
            co_return ec;
    command_result r;
    if (const auto ec = co_await run(session_.fsm().writer().delete_mailbox(wire), r))
        co_return ec;
    forget(folder);
    co_return std::error_code();
}

sync::task<std::error_code> imap_store::rename_folder(const std::string& from,
                                                      const std::string& to) {
    std::string wire_from;
    std::string wire_to;
    if (const auto ec = wire_name(from, wire_from))
        co_return ec;
    if (const auto ec = wire_name(to, wire_to))
        co_return ec;
    if (selected_ == from)
        if (const auto ec = co_await deselect())
            co_return ec;
    command_result r;
    if (const auto ec = co_await run(session_.fsm().writer().rename(wire_from, wire_to), r))
        co_return ec;
    // UIDs and UIDVALIDITY survive a RENAME (RFC 3501 §6.3.5), so the ids stay valid; the
    // scans kept are dropped, for the sub-folders too (they moved along).
    const auto it = uidvalidity_.find(from);
    const auto kept = it != uidvalidity_.end() ? std::optional(it->second) : std::nullopt;
    forget(from);
    forget(to);
    if (kept)
        uidvalidity_[to] = *kept;
    co_return std::error_code();
}

sync::task<std::error_code> imap_store::scan(const std::string& folder, sync::folder_scan& scan) {
    return scan_from(folder, nullptr, scan);
}

sync::task<std::error_code> imap_store::scan_since(const std::string& folder,
                                                   const sync::scan_base& base,
                                                   sync::folder_scan& scan) {
    return scan_from(folder, &base, scan);
}

sync::task<std::error_code> imap_store::unchanged_since(const std::string& folder,
                                                        const std::string& epoch,
                                                        const std::string& token, bool& unchanged) {
    unchanged = false;
    if (!qresync_tried_)
        if (const auto ec = co_await enable_qresync())
            co_return ec;
    const auto origin = base_origin(epoch, token);
    if (!qresync_ || !origin)
        co_return std::error_code();
    if (const auto it = listed_.find(folder); it != listed_.end()) {
        unchanged = it->second.uidvalidity == origin->uidvalidity &&
                    it->second.highestmodseq == origin->modseq;
        co_return std::error_code();
    }
    select_options options;
    options.condstore = true;
    if (const auto ec = co_await select(folder, true, options))
        co_return ec;
    unchanged =
        uidvalidity_.at(folder) == origin->uidvalidity && selected_modseq_ == origin->modseq;
    co_return std::error_code();
}

sync::task<std::error_code> imap_store::enable_qresync() {
    qresync_tried_ = true;
    if (!session_.fsm().has_capability("QRESYNC"))
        co_return std::error_code();
    // ENABLE belongs to the authenticated state (RFC 5161 §3.1).
    if (const auto ec = co_await deselect())
        co_return ec;
    command_result r;
    if (const auto ec = co_await run(session_.fsm().writer().enable(qresync_capability()), r))
        co_return ec;
    note_enabled(r.untagged);
    co_return std::error_code();
}

void imap_store::note_enabled(const std::vector<response>& untagged) {
    // Only what the server says it enabled counts (some advertise QRESYNC and do not).
    for (const auto& u : untagged)
        if (const auto* e = std::get_if<enabled_data>(&u))
            for (const auto& c : e->capabilities)
                qresync_ = qresync_ || util::ascii_iequals(c, "QRESYNC");
}

void imap_store::expect_scans(std::vector<sync::expected_scan> scans) {
    expected_.assign(std::make_move_iterator(scans.begin()), std::make_move_iterator(scans.end()));
}

std::error_code imap_store::send_scan(const std::string& folder, const select_options& options,
                                      bool with_fetch, std::optional<std::uint64_t> changed_since) {
    std::string wire;
    if (const auto ec = wire_name(folder, wire))
        return ec;
    sent_scan sent;
    sent.folder = folder;
    sent.options = options;
    if (const auto ec =
            session_.submit(session_.fsm().writer().select(wire, options), sent.select_tag))
        return fail(ec, "SELECT " + util::quote_server_text(folder));
    // From here the server may have another folder selected whatever the answers say.
    selected_.reset();
    sent.changed_since = changed_since;
    if (with_fetch &&
        session_.submit(session_.fsm().writer().uid_fetch(uid_set::range(1, uid_set::star),
                                                          scan_items(), changed_since),
                        sent.fetch_tag))
        sent.fetch_tag.clear();
    sent_scans_.push_back(std::move(sent));
    return {};
}

std::optional<qresync_parameters> imap_store::scan_origin(const std::string& folder,
                                                          std::string_view epoch,
                                                          std::string_view token) const {
    if (const auto last = scanned_.find(folder); last != scanned_.end())
        return qresync_parameters{last->second.uidvalidity, last->second.highestmodseq,
                                  std::nullopt};
    if (!condstore_enabled())
        return std::nullopt; // no mod-sequences: every scan is a full one
    return base_origin(epoch, token);
}

select_options imap_store::scan_options(const std::optional<qresync_parameters>& origin) const {
    select_options options;
    options.condstore = condstore_enabled();
    if (qresync_ && origin)
        options.qresync = origin;
    return options;
}

bool imap_store::condstore_enabled() const {
    return qresync_ || session_.fsm().has_capability("CONDSTORE");
}

std::error_code imap_store::send_scan_of(const std::string& folder,
                                         const std::optional<qresync_parameters>& origin) {
    // What follows the SELECT goes with it whenever the SELECT's answer only confirms it: a
    // QRESYNC SELECT needs nothing more; a full scan fetches every message; a CONDSTORE-only
    // scan the messages changed since its mod-sequence (the answer may still ask for a full
    // scan, after a UIDVALIDITY change, or for a UID SEARCH after an expunge: scan_from sends
    // them, after scan_alone when other scans went out behind).
    const auto options = scan_options(origin);
    if (options.qresync)
        return send_scan(folder, options, false);
    std::optional<std::uint64_t> changed_since;
    if (origin)
        changed_since = origin->modseq;
    return send_scan(folder, options, true, changed_since);
}

std::size_t imap_store::scan_commands(const std::optional<qresync_parameters>& origin) const {
    return scan_options(origin).qresync ? 1 : 2; // as send_scan_of sends them
}

void imap_store::send_early_scans() {
    if (!qresync_tried_) // ENABLE first (scan_from): the scans' options depend on it
        return;
    // Few enough that a batch read's 4 UID FETCHes and these stay within the session's 8.
    constexpr std::size_t max_early_commands = 4;
    const auto out = [&] {
        std::size_t commands = 0;
        for (const auto& s : sent_scans_)
            commands += s.fetch_tag.empty() ? 1 : 2;
        return commands;
    };
    while (!expected_.empty()) {
        const auto& e = expected_.front();
        const auto origin = scan_origin(e.folder, e.epoch, e.token);
        if (out() + scan_commands(origin) > max_early_commands)
            return;
        if (send_scan_of(e.folder, origin))
            return;
        expected_.pop_front();
    }
}

sync::task<std::error_code> imap_store::read_scans_sent_ahead() {
    if (sent_scans_.empty())
        co_return std::error_code();
    selected_.reset();
    while (!sent_scans_.empty()) {
        const sent_scan sent = std::move(sent_scans_.front());
        sent_scans_.pop_front();
        command_result r;
        if (const auto ec = co_await session_.wait(sent.select_tag, r))
            co_return outcome(ec, "SELECT", r);
        if (!sent.fetch_tag.empty())
            if (const auto ec = co_await session_.wait(sent.fetch_tag, r))
                co_return outcome(ec, "UID FETCH", r);
    }
    co_return std::error_code();
}

sync::task<std::error_code> imap_store::scan_alone(const std::string& folder,
                                                   const sync::scan_base* base,
                                                   sync::folder_scan& scan) {
    expected_.clear();
    if (const auto ec = co_await read_scans_sent_ahead())
        co_return ec;
    co_return co_await scan_from(folder, base, scan);
}

sync::task<std::error_code> imap_store::scan_from(const std::string& folder,
                                                  const sync::scan_base* base,
                                                  sync::folder_scan& scan) {
    if (!qresync_tried_)
        if (const auto ec = co_await enable_qresync())
            co_return ec;
    // A base from an earlier run stands in for a scan of this store's own.
    if (base != nullptr && !scanned_.contains(folder))
        if (const auto origin = scan_origin(folder, base->epoch, base->token)) {
            uid_flags seeded;
            uid_flags given;
            given.reserve(base->messages.size());
            bool valid = true;
            for (const auto& m : base->messages) {
                std::uint32_t uid = 0;
                valid = valid && parse_number(m.id, uid) && uid != 0;
                given.emplace_back(uid, m.flags);
            }
            merge_flags(seeded, std::move(given));
            if (valid)
                scanned_[folder] = {origin->uidvalidity, origin->modseq, std::move(seeded)};
        }
    const auto last = scanned_.find(folder);
    const auto origin = scan_origin(folder, {}, {});
    const auto options = scan_options(origin);
    // This scan's commands: sent early for it (expect_scans), else now (send_scan_of). When
    // they hold all the scan asks for before the answers (a QRESYNC SELECT; a SELECT and its
    // UID FETCH), the next expected scans go out behind them.
    const auto same_options = [&](const select_options& o) {
        return o.condstore == options.condstore &&
               o.qresync.has_value() == options.qresync.has_value() &&
               (!o.qresync || (o.qresync->uidvalidity == options.qresync->uidvalidity &&
                               o.qresync->modseq == options.qresync->modseq));
    };
    const bool sent_early = !sent_scans_.empty() && sent_scans_.front().folder == folder &&
                            same_options(sent_scans_.front().options);
    if (!sent_early) {
        if (!sent_scans_.empty()) {
            expected_.clear(); // the hints went astray
            if (const auto ec = co_await read_scans_sent_ahead())
                co_return ec;
        }
        if (!expected_.empty() && expected_.front().folder == folder)
            expected_.pop_front();
        else
            expected_.clear();
        if (const auto ec = send_scan_of(folder, origin))
            co_return ec;
    }
    const sent_scan own = std::move(sent_scans_.front());
    sent_scans_.pop_front();
    // Its own commands do not count against the scans sent ahead: the reads that may follow
    // this scan start after its answers.
    if (options.qresync || !own.fetch_tag.empty())
        send_early_scans();
    command_result selected;
    const auto select_ec =
        outcome(co_await session_.wait(own.select_tag, selected), "SELECT", selected);
    std::optional<command_result> fetched_early;
    if (!own.fetch_tag.empty()) {
        command_result fetched;
        const auto fetch_ec = co_await session_.wait(own.fetch_tag, fetched);
        if (!select_ec && fetch_ec)
            co_return outcome(fetch_ec, "UID FETCH", fetched);
        fetched_early = std::move(fetched);
    }
    if (select_ec)
        co_return select_ec;
    if (const auto ec = take_selected(folder, true, options, selected))
        co_return ec;
    if (!sent_scans_.empty())
        selected_.reset(); // the next folders' SELECTs are out
    const auto uidvalidity = uidvalidity_.at(folder);
    const bool incremental = last != scanned_.end() && selected_modseq_ &&
                             last->second.uidvalidity == uidvalidity &&
                             *selected_modseq_ >= last->second.highestmodseq;
    uid_flags messages;
    if (incremental)
        messages = last->second.flags;
    // QRESYNC: the SELECT itself reported what changed (FETCH) and what went (VANISHED
    // (EARLIER)) since the last scan.
    const bool resynced = incremental && options.qresync.has_value();
    if (resynced) {
        learn_meta(folder, selected);
        uid_flags changed; // merged before a VANISHED and at the end: the order counts
        for (const auto& u : selected.untagged) {
            if (const auto* v = std::get_if<vanished_data>(&u)) {
                merge_flags(messages, std::exchange(changed, {}));
                std::erase_if(messages, [&](const auto& m) { return v->uids.contains(m.first); });
            } else if (const auto* f = std::get_if<fetch_data>(&u); f && f->uid && f->flags) {
                changed.emplace_back(*f->uid, flags_to_bits(*f->flags));
            }
        }
        merge_flags(messages, std::move(changed));
    }
    auto& writer = session_.fsm().writer();
    std::int64_t exists = selected_exists_;
    bool expunged = false;
    if (selected_exists_ == 0) {
        messages.clear();
    } else if (!resynced && (!incremental || *selected_modseq_ != last->second.highestmodseq)) {
        std::optional<std::uint64_t> changed_since;
        if (incremental)
            changed_since = last->second.highestmodseq;
        command_result r;
        if (fetched_early && own.changed_since == changed_since) { // it asked for these
            r = std::move(*fetched_early);
            if (const auto ec = outcome({}, "UID FETCH", r))
                co_return ec;
        } else {
            if (!sent_scans_.empty()) {
                if (!incremental) {
                    // A full scan, then: again without its base, so that its SELECT goes with
                    // a UID FETCH 1:* rather than another that cannot serve (CHANGEDSINCE).
                    scanned_.erase(folder);
                    base = nullptr;
                }
                co_return co_await scan_alone(folder, base, scan);
            }
            const auto cmd =
                writer.uid_fetch(uid_set::range(1, uid_set::star), scan_items(), changed_since);
            if (const auto ec = co_await run(cmd, r))
                co_return ec;
        }
        // In order: a message reported twice (ours and an unsolicited FETCH) keeps the last.
        learn_meta(folder, r);
        uid_flags fetched;
        for (const auto& u : r.untagged) {
            if (const auto* f = std::get_if<fetch_data>(&u); f != nullptr && f->uid && f->flags)
                fetched.emplace_back(*f->uid, flags_to_bits(*f->flags));
            else if (const auto* e = std::get_if<exists_data>(&u))
                exists = e->count;
            else if (std::holds_alternative<expunge_data>(u) ||
                     std::holds_alternative<vanished_data>(u))
                expunged = true;
        }
        merge_flags(messages, std::move(fetched));
    }
    // The last scan's messages plus the changed ones hold every message there is; when they are
    // more than the server counts, some went: ask which are left. (A message that arrived after
    // the SELECT and is not in `messages` yet is left out: its mod-sequence is above the one
    // kept, so the next scan reports it.)
    if (incremental && exists > 0 &&
        (expunged || messages.size() != static_cast<std::size_t>(exists))) {
        if (!sent_scans_.empty())
            co_return co_await scan_alone(folder, base, scan);
        command_result r;
        if (const auto ec = co_await run(writer.uid_search("ALL"), r))
            co_return ec;
        std::vector<std::uint32_t> alive;
        for (const auto& u : r.untagged)
            if (const auto* found = std::get_if<search_data>(&u))
                alive.insert(alive.end(), found->numbers.begin(), found->numbers.end());
        std::sort(alive.begin(), alive.end());
        std::erase_if(messages, [&](const auto& m) {
            return !std::binary_search(alive.begin(), alive.end(), m.first);
        });
        // Messages the last scan (or the base) did not know and no change reported: asked for.
        std::vector<std::uint32_t> unknown;
        for (const auto uid : alive)
            if (!has_uid(messages, uid))
                unknown.push_back(uid);
        for (const auto& set : uid_set::from_uids(unknown).split(max_set_chars)) {
            command_result fetched;
            if (const auto ec = co_await run(writer.uid_fetch(set, scan_items()), fetched))
                co_return ec;
            learn_meta(folder, fetched);
            uid_flags found;
            for (const auto& u : fetched.untagged)
                if (const auto* f = std::get_if<fetch_data>(&u); f && f->uid && f->flags)
                    found.emplace_back(*f->uid, flags_to_bits(*f->flags));
            merge_flags(messages, std::move(found));
        }
    }
    scan.epoch = std::to_string(uidvalidity);
    scan.token = selected_modseq_ ? std::to_string(*selected_modseq_) : std::string();
    scan.messages.clear();
    scan.messages.reserve(messages.size());
    for (const auto& [uid, flags] : messages)
        scan.messages.push_back({std::to_string(uid), flags, {}});
    if (selected_modseq_)
        scanned_[folder] = {uidvalidity, *selected_modseq_, std::move(messages)};
    else
        scanned_.erase(folder);
    co_return std::error_code();
}

sync::task<std::error_code> imap_store::identify(const std::string& folder,
                                                 std::vector<sync::scanned_message*>& messages) {
    if (const auto ec = co_await select(folder))
        co_return ec;
    for (std::size_t start = 0; start < messages.size(); start += identify_batch) {
        const auto stop = std::min(messages.size(), start + identify_batch);
        std::vector<std::uint32_t> uids;
        std::unordered_map<std::uint32_t, sync::scanned_message*> by_uid;
        for (auto i = start; i < stop; ++i) {
            std::uint32_t uid = 0;
            if (const auto ec = parse_id(messages[i]->id, uid))
                co_return ec;
            uids.push_back(uid);
            by_uid[uid] = messages[i];
        }
        for (const auto& set : uid_set::from_uids(uids).split(max_set_chars)) {
            header_collector headers;
            command_result r;
            {
                const sink_guard guard(session_, headers);
                if (const auto ec =
                        co_await run(session_.fsm().writer().uid_fetch(set, identity_items()), r))
                    co_return ec;
            }
            learn_meta(folder, r);
            for (const auto& u : r.untagged) {
                const auto* f = std::get_if<fetch_data>(&u);
                if (f == nullptr || !f->uid || !f->rfc822_size)
                    continue;
                const auto m = by_uid.find(*f->uid);
                const auto h = headers.headers.find(f->seq);
                if (m == by_uid.end() || h == headers.headers.end())
                    continue;
                m->second->identity = sync::make_identity(*f->rfc822_size, h->second);
            }
        }
    }
    co_return std::error_code();
}

sync::task<std::error_code> imap_store::message_size(const std::string& folder,
                                                     const std::string& id, std::uint64_t& size) {
    std::uint32_t uid = 0;
    if (const auto ec = parse_id(id, uid))
        co_return ec;
    if (const auto ec = co_await select(folder))
        co_return ec;
    command_result r;
    if (const auto ec =
            co_await run(session_.fsm().writer().uid_fetch(one_uid(uid), size_item()), r))
        co_return ec;
    for (const auto& u : r.untagged)
        if (const auto* f = std::get_if<fetch_data>(&u);
            f != nullptr && f->uid == uid && f->rfc822_size) {
            size = *f->rfc822_size;
            co_return std::error_code();
        }
    co_return fail(imap_store_errc::message_not_found,
                   "UID " + id + " in " + util::quote_server_text(folder));
}

sync::task<std::error_code> imap_store::read_message(const std::string& folder,
                                                     const std::string& id,
                                                     sync::message_sink& sink) {
    std::uint32_t uid = 0;
    if (const auto ec = parse_id(id, uid))
        co_return ec;
    if (const auto ec = co_await select(folder))
        co_return ec;
    body_relay relay;
    std::error_code sink_error;
    run_options options;
    // A sink that fails (a full disk) fails this message only: the rest of the response is
    // read and dropped, so the session stays usable for the next one.
    options.after_read = [&]() -> boost::asio::awaitable<std::error_code> {
        if (relay.pending.empty() || sink_error) {
            relay.pending.clear();
            co_return std::error_code();
        }
        const std::string chunk = std::move(relay.pending);
        relay.pending.clear();
        sink_error = co_await sink.write(chunk);
        co_return std::error_code();
    };
    command_result r;
    {
        const sink_guard guard(session_, relay);
        const auto ec =
            co_await run(session_.fsm().writer().uid_fetch(one_uid(uid), body_item()), r, options);
        if (sink_error)
            co_return fail(sink_error,
                           "writing UID " + id + " of " + util::quote_server_text(folder));
        if (ec)
            co_return ec;
    }
    // A body sent as a quoted string arrives with the whole response: pass on the rest.
    if (!relay.pending.empty() && !sink_error)
        if (const auto ec = co_await sink.write(relay.pending))
            co_return fail(ec, "writing UID " + id + " of " + util::quote_server_text(folder));
    if (!relay.ended)
        co_return fail(imap_store_errc::message_not_found,
                       "UID " + id + " in " + util::quote_server_text(folder));
    co_return std::error_code();
}

// Passes the bodies queued by body_queue on to the receiver of a batch read.
class imap_store::body_reader {
public:
    body_reader(const std::unordered_map<std::uint32_t, message_meta>& meta,
                const std::set<std::uint32_t>& wanted, sync::message_receiver& receiver)
        : meta_(meta)
        , wanted_(wanted)
        , receiver_(receiver) {}

    body_queue queue;
    std::set<std::uint32_t> delivered;
    bool uid_missing = false;              // a body came without its UID before it
    std::optional<std::uint32_t> sole_uid; // the UID of a command for one message
    std::error_code error;                 // the receiver's: nothing more is passed on

    sync::task<void> drain() {
        while (!queue.events.empty() && !queue.collecting()) {
            auto e = std::move(queue.events.front());
            queue.events.pop_front();
            switch (e.type) {
            case body_queue::event::kind::begin:
                co_await begin(e.uid != 0 ? e.uid : sole_uid.value_or(0), e.size);
                break;
            case body_queue::event::kind::data:
                if (open_) {
                    auto written = sink_->write_owned(std::move(e.bytes)); // GCC 12: named
                    if (const auto ec = co_await std::move(written))
                        co_await stop(ec);
                }
                break;
            case body_queue::event::kind::end:
                if (open_) {
                    auto header = std::move(*open_);
                    open_.reset();
                    delivered.insert(open_uid_);
                    if (const auto ec = co_await receiver_.close(header, std::error_code()))
                        error = ec;
                }
                break;
            }
        }
    }

    // The connection failed or the read ended while a message was open.
    sync::task<void> stop(std::error_code ec) {
        if (!open_)
            co_return;
        auto header = std::move(*open_);
        open_.reset();
        (void)co_await receiver_.close(header, ec);
        if (!error)
            error = ec;
    }

private:
    sync::task<void> begin(std::uint32_t uid, std::uint64_t size) {
        if (error)
            co_return;
        if (uid == 0) {
            uid_missing = true;
            co_return;
        }
        // Unsolicited, twice, or not asked for: not passed on.
        if (!wanted_.contains(uid) || delivered.contains(uid))
            co_return;
        sync::message_header header;
        header.id = std::to_string(uid);
        header.size = size;
        if (const auto m = meta_.find(uid); m != meta_.end())
            header.internal_date = m->second.internal_date;
        sync::message_sink* sink = nullptr;
        if (const auto ec = co_await receiver_.open(header, sink)) {
            error = ec;
            co_return;
        }
        open_ = std::move(header);
        open_uid_ = uid;
        sink_ = sink;
    }

    const std::unordered_map<std::uint32_t, message_meta>& meta_;
    const std::set<std::uint32_t>& wanted_;
    sync::message_receiver& receiver_;
    std::optional<sync::message_header> open_; // the message being passed on
    std::uint32_t open_uid_ = 0;
    sync::message_sink* sink_ = nullptr;
};

sync::task<std::error_code> imap_store::fetch_bodies(const std::string& folder,
                                                     const std::vector<body_batch>& batches,
                                                     std::size_t depth, body_reader& reader) {
    run_options options;
    options.after_read = [&]() -> boost::asio::awaitable<std::error_code> {
        co_await reader.drain();
        co_return std::error_code();
    };
    if (const auto ec = co_await read_scans_sent_ahead())
        co_return ec;
    const sink_guard guard(session_, reader.queue);
    struct sent_command {
        std::string tag;
        std::uint64_t bytes;
    };
    std::deque<sent_command> in_flight;
    std::size_t next = 0;
    std::optional<std::string> refused;
    std::uint64_t bytes_in_flight = 0;
    while (next < batches.size() || !in_flight.empty()) {
        // The next commands go out before this one's bodies are read: no idle round trip.
        while (
            !reader.error && !refused && next < batches.size() && in_flight.size() < depth &&
            (in_flight.empty() || bytes_in_flight + batches[next].bytes <= body_pipeline_bytes)) {
            const auto& set = batches[next].uids;
            if (depth == 1 && set.count() == 1)
                reader.sole_uid = set.ranges().front().first;
            std::string tag;
            if (const auto ec =
                    session_.submit(session_.fsm().writer().uid_fetch(set, bodies_items()), tag))
                co_return fail(ec, "UID FETCH of bodies in " + util::quote_server_text(folder));
            in_flight.push_back({std::move(tag), batches[next].bytes});
            bytes_in_flight += batches[next].bytes;
            ++next;
            if (next == batches.size())
                send_early_scans(); // behind the last UID FETCH: no round trip at a folder's end
        }
        if (in_flight.empty())
            break; // an error or a refusal stopped the sending, and every answer is read
        command_result r;
        const auto ec = co_await session_.wait(in_flight.front().tag, r, options);
        bytes_in_flight -= in_flight.front().bytes;
        in_flight.pop_front();
        if (ec) {
            selected_.reset();
            co_await reader.stop(ec);
            co_return fail(ec, "UID FETCH: " + session_.diagnostics());
        }
        co_await reader.drain(); // a body sent as a quoted string comes with the whole response
        if (r.status.status != status_word::ok && !refused)
            refused = util::quote_server_text(r.status.text);
    }
    co_await reader.stop(imap_store_errc::message_not_found); // a body never ended
    if (refused)
        co_return fail(imap_errc::command_failed, "UID FETCH refused: " + *refused);
    co_return std::error_code();
}

sync::task<std::error_code> imap_store::read_messages(const std::string& folder,
                                                      const std::vector<std::string>& ids,
                                                      sync::message_receiver& receiver) {
    std::vector<std::uint32_t> uids;
    for (const auto& id : ids) {
        std::uint32_t uid = 0;
        if (const auto ec = parse_id(id, uid))
            co_return ec;
        uids.push_back(uid);
    }
    if (uids.empty())
        co_return std::error_code();
    if (const auto ec = co_await select(folder))
        co_return ec;
    // Sizes and dates the scan did not bring (a read without a scan by this store).
    std::vector<std::uint32_t> missing;
    for (const auto uid : uids)
        if (!meta_[folder].contains(uid))
            missing.push_back(uid);
    for (const auto& set : uid_set::from_uids(missing).split(max_set_chars)) {
        command_result r;
        if (const auto ec = co_await run(session_.fsm().writer().uid_fetch(set, meta_items()), r))
            co_return ec;
        learn_meta(folder, r);
    }
    const auto& meta = meta_[folder];
    std::erase_if(uids, [&](std::uint32_t uid) { return !meta.contains(uid); }); // gone
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());

    // Batches bounded by count and bytes; a message bigger than the bound goes alone.
    std::vector<body_batch> batches;
    std::vector<std::uint32_t> batch;
    std::uint64_t batch_bytes = 0;
    const auto close_batch = [&] {
        // A set split for the line length holds the next UIDs of the (sorted) batch.
        auto uid = batch.begin();
        for (auto& set : uid_set::from_uids(batch).split(max_set_chars)) {
            std::uint64_t bytes = 0;
            for (std::size_t i = 0; i < set.count() && uid != batch.end(); ++i, ++uid)
                bytes += meta.at(*uid).size;
            batches.push_back({std::move(set), bytes});
        }
        batch.clear();
        batch_bytes = 0;
    };
    for (const auto uid : uids) {
        const auto size = meta.at(uid).size;
        if (!batch.empty() &&
            (batch.size() >= body_batch_messages || batch_bytes + size > body_batch_bytes))
            close_batch();
        batch.push_back(uid);
        batch_bytes += size;
    }
    if (!batch.empty())
        close_batch();

    const std::set<std::uint32_t> wanted(uids.begin(), uids.end());
    body_reader reader(meta, wanted, receiver);
    if (const auto ec = co_await fetch_bodies(folder, batches, body_pipeline_depth, reader))
        co_return ec;
    // A server that names the UID only after the body: the rest one UID per command.
    if (reader.uid_missing && !reader.error) {
        if (const auto ec = co_await select(folder)) // an early scan may have selected another
            co_return ec;
        std::vector<body_batch> singles;
        for (const auto uid : uids)
            if (!reader.delivered.contains(uid))
                singles.push_back({one_uid(uid), meta.at(uid).size});
        if (const auto ec = co_await fetch_bodies(folder, singles, 1, reader))
            co_return ec;
    }
    if (reader.error)
        co_return fail(reader.error, "passing on messages of " + util::quote_server_text(folder));
    co_return std::error_code();
}

// An APPEND whose literal is sent as the engine produces the bytes.
class imap_store::append_writer final : public sync::message_writer {
public:
    append_writer(imap_store& store, std::string folder, std::string tag, std::uint64_t size)
        : store_(store)
        , folder_(std::move(folder))
        , tag_(std::move(tag))
        , size_(size) {}
    append_writer(const append_writer&) = delete;
    append_writer& operator=(const append_writer&) = delete;

    ~append_writer() override {
        // The literal cannot be taken back: the connection goes (the message is not stored).
        if (!done_)
            store_.session_.abandon(imap_store_errc::append_abandoned);
    }

    sync::task<std::error_code> write(std::string_view chunk) override {
        if (done_)
            co_return imap_store_errc::append_abandoned;
        if (written_ + chunk.size() > size_) {
            give_up();
            co_return std::make_error_code(std::errc::message_size);
        }
        written_ += chunk.size();
        if (!header_done_) { // kept for the Message-ID, in case there is no APPENDUID
            header_.append(chunk.substr(0, max_header - std::min(max_header, header_.size())));
            header_done_ =
                header_.find("\r\n\r\n") != std::string::npos || header_.size() >= max_header;
        }
        if (const auto ec = co_await store_.session_.write_body(chunk)) {
            done_ = true;
            store_.selected_.reset();
            co_return store_.fail(ec, "APPEND: " + store_.session_.diagnostics());
        }
        co_return std::error_code();
    }

    sync::task<std::error_code> finish(std::string& new_id) override {
        if (done_)
            co_return imap_store_errc::append_abandoned;
        if (written_ != size_) {
            give_up();
            co_return std::make_error_code(std::errc::message_size);
        }
        done_ = true;
        store_.session_.end_body();
        command_result r;
        if (const auto ec = co_await store_.session_.wait(tag_, r)) {
            store_.selected_.reset();
            co_return store_.fail(ec, "APPEND: " + store_.session_.diagnostics());
        }
        if (r.status.status != status_word::ok)
            co_return store_.fail(imap_errc::command_failed,
                                  "APPEND refused: " + util::quote_server_text(r.status.text));
        const auto* code = find_code(r, response_code_kind::appenduid);
        if (code != nullptr && code->uids.count() == 1) {
            new_id = std::to_string(code->uids.ranges().front().first);
            co_return std::error_code();
        }
        std::uint32_t uid = 0;
        if (const auto ec =
                co_await store_.find_new_uid(folder_, find_message_id(header_), size_, uid))
            co_return ec;
        new_id = std::to_string(uid);
        co_return std::error_code();
    }

private:
    void give_up() {
        done_ = true;
        store_.selected_.reset();
        store_.session_.abandon(imap_store_errc::append_abandoned);
        store_.diagnostics_ = "APPEND to " + util::quote_server_text(folder_) +
                              ": the message was not the announced size; connection closed";
    }

    imap_store& store_;
    std::string folder_;
    std::string tag_;
    std::uint64_t size_;
    std::uint64_t written_ = 0;
    bool done_ = false;
    static constexpr std::size_t max_header = 64 * 1024;
    std::string header_;
    bool header_done_ = false;
};

sync::task<std::error_code>
imap_store::begin_message(const sync::new_message& message,
                          std::unique_ptr<sync::message_writer>& writer) {
    if (const auto ec = co_await read_scans_sent_ahead())
        co_return ec;
    listed_.erase(message.folder);
    std::string wire;
    if (const auto ec = wire_name(message.folder, wire))
        co_return ec;
    std::optional<std::string> date;
    if (message.internal_date != 0)
        date = format_date_time(message.internal_date);
    std::optional<std::string_view> date_view;
    if (date)
        date_view = *date;
    std::string tag;
    if (const auto ec = session_.submit(
            session_.fsm().writer().append(wire, names_of(message.flags), date_view, message.size),
            tag))
        co_return fail(ec, "APPEND to " + util::quote_server_text(message.folder));
    bool due = false;
    if (const auto ec = co_await session_.open_body(tag, due)) {
        selected_.reset();
        co_return fail(ec, "APPEND: " + session_.diagnostics());
    }
    if (!due) { // refused before the literal
        command_result r;
        if (const auto ec = co_await session_.wait(tag, r)) {
            selected_.reset();
            co_return fail(ec, "APPEND: " + session_.diagnostics());
        }
        co_return fail(imap_errc::command_failed,
                       "APPEND refused: " + util::quote_server_text(r.status.text));
    }
    writer = std::make_unique<append_writer>(*this, message.folder, std::move(tag), message.size);
    co_return std::error_code();
}

sync::task<std::error_code> imap_store::find_new_uid(std::string folder, std::string message_id,
                                                     std::uint64_t size, std::uint32_t& uid) {
    const auto quoted = quoted_string(message_id);
    if (message_id.empty() || !quoted)
        co_return fail(imap_store_errc::no_new_uid, "no UIDPLUS, and the message in " +
                                                        util::quote_server_text(folder) +
                                                        " has no Message-ID to find it by");
    if (const auto ec = co_await select(folder))
        co_return ec;
    auto& writer = session_.fsm().writer();
    command_result found;
    if (const auto ec = co_await run(writer.uid_search("HEADER Message-ID " + *quoted), found))
        co_return ec;
    std::vector<std::uint32_t> candidates;
    for (const auto& u : found.untagged)
        if (const auto* s = std::get_if<search_data>(&u))
            candidates.insert(candidates.end(), s->numbers.begin(), s->numbers.end());
    // The same message may be there more than once (a copy kept elsewhere, a re-upload): the
    // one of the right size with the highest UID is the one just stored (UIDs only grow).
    std::uint32_t best = 0;
    for (const auto& set : uid_set::from_uids(candidates).split(max_set_chars)) {
        command_result sizes;
        if (const auto ec = co_await run(writer.uid_fetch(set, meta_items()), sizes))
            co_return ec;
        learn_meta(folder, sizes);
        for (const auto& u : sizes.untagged)
            if (const auto* f = std::get_if<fetch_data>(&u);
                f != nullptr && f->uid && f->rfc822_size == size && set.contains(*f->uid))
                best = std::max(best, *f->uid);
    }
    if (best == 0)
        co_return fail(imap_store_errc::no_new_uid,
                       "no UIDPLUS, and no message " + util::quote_server_text(message_id) +
                           " of " + std::to_string(size) + " octets found in " +
                           util::quote_server_text(folder));
    uid = best;
    co_return std::error_code();
}

sync::task<std::error_code> imap_store::message_id_of(std::uint32_t uid, std::string& message_id,
                                                      std::uint64_t& size) {
    header_collector headers;
    command_result r;
    {
        const sink_guard guard(session_, headers);
        if (const auto ec = co_await run(
                session_.fsm().writer().uid_fetch(one_uid(uid), message_id_items()), r))
            co_return ec;
    }
    for (const auto& u : r.untagged)
        if (const auto* f = std::get_if<fetch_data>(&u);
            f != nullptr && f->uid == uid && f->rfc822_size) {
            size = *f->rfc822_size;
            if (const auto h = headers.headers.find(f->seq); h != headers.headers.end())
                message_id = find_message_id(h->second);
            co_return std::error_code();
        }
    co_return fail(imap_store_errc::message_not_found, "UID " + std::to_string(uid));
}

sync::task<std::error_code> imap_store::set_flags(const std::string& folder, const std::string& id,
                                                  sync::flag_bits add, sync::flag_bits remove) {
    listed_.erase(folder);
    std::uint32_t uid = 0;
    if (const auto ec = parse_id(id, uid))
        co_return ec;
    if (const auto ec = co_await select(folder))
        co_return ec;
    auto& writer = session_.fsm().writer();
    const auto set = one_uid(uid);
    command_result r;
    if (add != 0)
        if (const auto ec =
                co_await run(writer.uid_store(set, store_action::add, names_of(add)), r))
            co_return ec;
    if (remove != 0)
        if (const auto ec =
                co_await run(writer.uid_store(set, store_action::remove, names_of(remove)), r))
            co_return ec;
    co_return std::error_code();
}

sync::task<std::error_code> imap_store::expunge_one(std::uint32_t uid) {
    auto& writer = session_.fsm().writer();
    const auto set = one_uid(uid);
    command_result r;
    if (session_.fsm().has_capability("UIDPLUS"))
        co_return co_await run(writer.uid_expunge(set), r);
    // Without UID EXPUNGE, EXPUNGE removes every \Deleted message: only when that is ours alone.
    if (const auto ec = co_await run(writer.uid_search("DELETED"), r))
        co_return ec;
    for (const auto& u : r.untagged)
        if (const auto* s = std::get_if<search_data>(&u))
            for (const auto n : s->numbers)
                if (n != uid)
                    co_return fail(imap_store_errc::unsafe_expunge,
                                   "UID " + std::to_string(n) + " is \\Deleted too");
    co_return co_await run(writer.expunge(), r);
}

sync::task<std::error_code> imap_store::remove_message(const std::string& folder,
                                                       const std::string& id) {
    listed_.erase(folder);
    std::uint32_t uid = 0;
    if (const auto ec = parse_id(id, uid))
        co_return ec;
    if (const auto ec = co_await select(folder))
        co_return ec;
    command_result r;
    if (const auto ec = co_await run(
            session_.fsm().writer().uid_store(one_uid(uid), store_action::add, deleted_flag()), r))
        co_return ec;
    co_return co_await expunge_one(uid);
}

sync::task<std::error_code> imap_store::move_message(const std::string& from_folder,
                                                     const std::string& id,
                                                     const std::string& to_folder,
                                                     std::string& new_id) {
    listed_.erase(from_folder);
    listed_.erase(to_folder);
    std::uint32_t uid = 0;
    if (const auto ec = parse_id(id, uid))
        co_return ec;
    std::string wire_to;
    if (const auto ec = wire_name(to_folder, wire_to))
        co_return ec;
    if (const auto ec = co_await select(from_folder))
        co_return ec;
    auto& fsm = session_.fsm();
    const auto set = one_uid(uid);
    const bool move = fsm.has_capability("MOVE");
    // Without UIDPLUS no COPYUID will come: the copy is found by Message-ID and size afterwards.
    const bool uidplus = fsm.has_capability("UIDPLUS");
    std::string message_id;
    std::uint64_t size = 0;
    if (!uidplus)
        if (const auto ec = co_await message_id_of(uid, message_id, size))
            co_return ec;
    // Named, not a conditional inside co_await: GCC 12 mishandles that temporary.
    command cmd = move ? fsm.writer().uid_move(set, wire_to) : fsm.writer().uid_copy(set, wire_to);
    command_result r;
    if (const auto ec = co_await run(std::move(cmd), r))
        co_return ec;
    const auto* code = find_code(r, response_code_kind::copyuid);
    if (code == nullptr && !uidplus) {
        std::uint32_t found = 0;
        if (const auto ec = co_await find_new_uid(to_folder, message_id, size, found))
            co_return ec;
        new_id = std::to_string(found);
        if (move)
            co_return std::error_code();
        if (const auto ec = co_await select(from_folder))
            co_return ec;
    } else if (code == nullptr || !code->source_uids.contains(uid) || code->uids.count() != 1) {
        // MOVE reports no COPYUID for a UID that was already gone.
        if (code == nullptr && move)
            co_return fail(imap_store_errc::no_new_uid,
                           "UID MOVE " + id + " to " + util::quote_server_text(to_folder));
        co_return fail(imap_store_errc::no_new_uid,
                       "UID COPY " + id + " to " + util::quote_server_text(to_folder));
    } else {
        new_id = std::to_string(code->uids.ranges().front().first);
    }
    if (move)
        co_return std::error_code();
    command_result stored;
    if (const auto ec =
            co_await run(fsm.writer().uid_store(set, store_action::add, deleted_flag()), stored))
        co_return ec;
    co_return co_await expunge_one(uid);
}

sync::task<std::error_code> imap_store::commit() {
    co_return std::error_code();
}

} // namespace postfach::imap
