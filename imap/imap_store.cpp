#include "imap/imap_store.hpp"

#include "imap/body_sink.hpp"
#include "imap/imap_errc.hpp"
#include "imap/imap_store_errc.hpp"
#include "imap/mailbox_name.hpp"
#include "sync/message_identity.hpp"
#include "util/server_text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <ctime>
#include <unordered_map>

namespace postfach::imap {

namespace {

constexpr std::array<const char*, 6> flag_names{"\\Draft",    "\\Flagged", "$Forwarded",
                                                "\\Answered", "\\Seen",    "\\Deleted"};
constexpr std::size_t identify_batch = 256; // UIDs per UID FETCH of headers
constexpr std::size_t max_set_chars = 4000; // keeps command lines well under 8 KB

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

std::vector<std::string> names_of(sync::flag_bits bits) {
    std::vector<std::string> names;
    for (unsigned bit = 0; bit < flag_names.size(); ++bit)
        if ((bits & (1U << bit)) != 0)
            names.emplace_back(flag_names[bit]);
    return names;
}

// Built outside coroutines: GCC 12 miscompiles braced lists of string literals in coroutines.
std::vector<std::string> flags_item() {
    return {"FLAGS"};
}
std::vector<std::string> size_item() {
    return {"RFC822.SIZE"};
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
std::vector<std::string> deleted_flag() {
    return {"\\Deleted"};
}

const char* const special_uses[] = {"\\All",  "\\Archive", "\\Drafts", "\\Flagged",
                                    "\\Junk", "\\Sent",    "\\Trash"};

std::string special_use_of(const list_data& l) {
    for (const auto& a : l.attributes)
        for (const char* use : special_uses)
            if (iequals(a, use))
                return use;
    return {};
}

bool has_attribute(const list_data& l, std::string_view name) {
    return std::any_of(l.attributes.begin(), l.attributes.end(),
                       [&](const std::string& a) { return iequals(a, name); });
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

// RFC 3501 date-time of seconds since the epoch, in UTC: "26-Nov-2026 07:15:42 +0000".
std::string imap_date(std::int64_t seconds) {
    static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::time_t t = seconds;
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%02d-%s-%04d %02d:%02d:%02d +0000", tm.tm_mday,
                  months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buffer;
}

// Collects the header blocks of a UID FETCH (BODY.PEEK[HEADER]) by sequence number.
class header_collector final : public body_sink {
public:
    std::unordered_map<std::uint32_t, std::string> headers;

    void begin(const body_section_header& h) override {
        current_ = (h.item == "BODY" && iequals(h.section, "HEADER")) ? &headers[h.seq] : nullptr;
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

// Collects what a producer pushes (see the class comment on write_message).
class string_sink final : public sync::message_sink {
public:
    std::string bytes;
    sync::task<std::error_code> write(std::string_view chunk) override {
        bytes.append(chunk);
        co_return std::error_code();
    }
};

} // namespace

const char* flag_name(unsigned bit) noexcept {
    return bit < flag_names.size() ? flag_names[bit] : nullptr;
}

std::optional<unsigned> flag_bit(std::string_view flag) noexcept {
    for (unsigned bit = 0; bit < flag_names.size(); ++bit)
        if (iequals(flag, flag_names[bit]))
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
    const std::string name = cmd.name;
    if (const auto ec = co_await session_.run(std::move(cmd), result, options)) {
        selected_.reset();
        co_return fail(ec, name + ": " + session_.diagnostics());
    }
    if (result.status.status != status_word::ok)
        co_return fail(imap_errc::command_failed,
                       name + " refused: " + util::quote_server_text(result.status.text));
    co_return std::error_code();
}

sync::task<std::error_code> imap_store::select(const std::string& folder, bool fresh,
                                               bool condstore) {
    if (!fresh && selected_ == folder)
        co_return std::error_code();
    std::string wire;
    if (const auto ec = wire_name(folder, wire))
        co_return ec;
    selected_.reset();
    select_options options;
    options.condstore = condstore;
    command_result r;
    if (const auto ec = co_await run(session_.fsm().writer().select(wire, options), r))
        co_return ec;
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
        co_return fail(imap_store_errc::no_uidvalidity,
                       "SELECT " + util::quote_server_text(folder));
    // A scan (fresh) starts a new epoch; any other operation acts on ids of the last scan.
    auto [known, inserted] = uidvalidity_.try_emplace(folder, *uidvalidity);
    if (!inserted && known->second != *uidvalidity) {
        if (!fresh)
            co_return fail(imap_store_errc::uidvalidity_changed,
                           "folder " + util::quote_server_text(folder) + ": UIDVALIDITY " +
                               std::to_string(known->second) + " -> " +
                               std::to_string(*uidvalidity));
        known->second = *uidvalidity;
    }
    selected_ = folder;
    co_return std::error_code();
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
    auto& fsm = session_.fsm();
    list_return_options returns;
    returns.special_use = fsm.has_capability("SPECIAL-USE");
    command_result r;
    if (const auto ec = co_await run(fsm.writer().list("", "*", returns), r))
        co_return ec;
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
        if (const auto ec = decode_mailbox_name(l->mailbox, f.name))
            co_return fail(ec, "LIST: folder " + util::quote_server_text(l->mailbox));
        if (delimiter_ != '/')
            std::replace(f.name.begin(), f.name.end(), delimiter_, '/');
        // INBOX is case-insensitive (RFC 3501 §5.1); the engine compares names exactly.
        if (iequals(f.name, "INBOX"))
            f.name = "INBOX";
        f.special_use = special_use_of(*l);
        folders.push_back(std::move(f));
    }
    co_return std::error_code();
}

sync::task<std::error_code> imap_store::create_folder(const std::string& folder) {
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
    if (kept)
        uidvalidity_[to] = *kept;
    co_return std::error_code();
}

sync::task<std::error_code> imap_store::scan(const std::string& folder, sync::folder_scan& scan) {
    const bool condstore = session_.fsm().has_capability("CONDSTORE");
    if (const auto ec = co_await select(folder, true, condstore))
        co_return ec;
    const auto uidvalidity = uidvalidity_.at(folder);
    const auto last = scanned_.find(folder);
    const bool incremental = last != scanned_.end() && selected_modseq_ &&
                             last->second.uidvalidity == uidvalidity &&
                             *selected_modseq_ >= last->second.highestmodseq;
    std::map<std::uint32_t, sync::flag_bits> messages;
    if (incremental)
        messages = last->second.flags;
    auto& writer = session_.fsm().writer();
    std::int64_t exists = selected_exists_;
    bool expunged = false;
    if (selected_exists_ == 0) {
        messages.clear();
    } else if (!incremental || *selected_modseq_ != last->second.highestmodseq) {
        std::optional<std::uint64_t> changed_since;
        if (incremental)
            changed_since = last->second.highestmodseq;
        command_result r;
        const auto cmd =
            writer.uid_fetch(uid_set::range(1, uid_set::star), flags_item(), changed_since);
        if (const auto ec = co_await run(cmd, r))
            co_return ec;
        // In order: a message reported twice (ours and an unsolicited FETCH) keeps the last.
        for (const auto& u : r.untagged) {
            if (const auto* f = std::get_if<fetch_data>(&u); f != nullptr && f->uid && f->flags)
                messages[*f->uid] = flags_to_bits(*f->flags);
            else if (const auto* e = std::get_if<exists_data>(&u))
                exists = e->count;
            else if (std::holds_alternative<expunge_data>(u) ||
                     std::holds_alternative<vanished_data>(u))
                expunged = true;
        }
    }
    // The last scan's messages plus the changed ones hold every message there is; when they are
    // more than the server counts, some went: ask which are left. (A message that arrived after
    // the SELECT and is not in `messages` yet is left out: its mod-sequence is above the one
    // kept, so the next scan reports it.)
    if (incremental && exists > 0 &&
        (expunged || messages.size() != static_cast<std::size_t>(exists))) {
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
    }
    scan.epoch = std::to_string(uidvalidity);
    scan.messages.clear();
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

sync::task<std::error_code> imap_store::write_message(const sync::new_message& message,
                                                      const producer& produce,
                                                      std::string& new_id) {
    std::string wire;
    if (const auto ec = wire_name(message.folder, wire))
        co_return ec;
    string_sink collected;
    if (const auto ec = co_await produce(collected))
        co_return fail(ec, "reading the message for " + util::quote_server_text(message.folder));
    std::optional<std::string> date;
    if (message.internal_date != 0)
        date = imap_date(message.internal_date);
    run_options options;
    options.append_body = collected.bytes;
    command_result r;
    const auto cmd = session_.fsm().writer().append(
        wire, names_of(message.flags), date ? std::optional<std::string_view>(*date) : std::nullopt,
        collected.bytes.size());
    if (const auto ec = co_await run(cmd, r, options))
        co_return ec;
    const auto* code = find_code(r, response_code_kind::appenduid);
    if (code == nullptr || code->uids.count() != 1)
        co_return fail(imap_store_errc::no_new_uid,
                       "APPEND to " + util::quote_server_text(message.folder));
    new_id = std::to_string(code->uids.ranges().front().first);
    co_return std::error_code();
}

sync::task<std::error_code> imap_store::set_flags(const std::string& folder, const std::string& id,
                                                  sync::flag_bits add, sync::flag_bits remove) {
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
    // Named, not a conditional inside co_await: GCC 12 mishandles that temporary.
    command cmd = move ? fsm.writer().uid_move(set, wire_to) : fsm.writer().uid_copy(set, wire_to);
    command_result r;
    if (const auto ec = co_await run(std::move(cmd), r))
        co_return ec;
    const auto* code = find_code(r, response_code_kind::copyuid);
    if (code == nullptr || !code->source_uids.contains(uid) || code->uids.count() != 1) {
        // MOVE reports no COPYUID for a UID that was already gone.
        if (code == nullptr && move)
            co_return fail(imap_store_errc::no_new_uid,
                           "UID MOVE " + id + " to " + util::quote_server_text(to_folder));
        co_return fail(imap_store_errc::no_new_uid,
                       "UID COPY " + id + " to " + util::quote_server_text(to_folder));
    }
    new_id = std::to_string(code->uids.ranges().front().first);
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
