#include "imap/folder_listing.hpp"

#include "imap/imap_errc.hpp"
#include "imap/mailbox_name.hpp"
#include "util/ascii.hpp"
#include "util/server_text.hpp"

#include <algorithm>
#include <cctype>

namespace postfach::imap {

namespace asio = boost::asio;

namespace {

// What `check` shows per folder. (Built outside the coroutine: GCC 12 miscompiles braced lists
// of string literals in coroutines.)
std::vector<std::string> count_items() {
    return {"MESSAGES", "UNSEEN"};
}

bool has_attribute(const list_data& l, std::string_view name) {
    return std::any_of(l.attributes.begin(), l.attributes.end(),
                       [&](const std::string& a) { return util::ascii_iequals(a, name); });
}

folder_info to_folder(const list_data& l) {
    folder_info f;
    f.wire_name = l.mailbox;
    // A name that is not valid modified UTF-7 is shown as the server sent it.
    if (decode_mailbox_name(l.mailbox, f.name))
        f.name = l.mailbox;
    f.attributes = l.attributes;
    f.delimiter = l.delimiter;
    f.selectable = !has_attribute(l, "\\Noselect") && !has_attribute(l, "\\NonExistent");
    return f;
}

void apply(const status_data& s, std::vector<folder_info>& folders) {
    for (auto& f : folders)
        if (f.wire_name == s.mailbox) {
            f.messages = s.get("MESSAGES");
            f.unseen = s.get("UNSEEN");
        }
}

} // namespace

asio::awaitable<std::error_code>
list_folders(client_session& session, std::vector<folder_info>& folders, std::string& diagnostics) {
    auto& fsm = session.fsm();
    const bool list_status = fsm.has_capability("LIST-STATUS");
    list_return_options returns;
    returns.special_use = fsm.has_capability("SPECIAL-USE");
    if (list_status)
        returns.status_items = count_items();

    command_result listed;
    if (const auto ec = co_await session.run(fsm.writer().list("", "*", returns), listed)) {
        diagnostics = session.diagnostics();
        co_return ec;
    }
    if (listed.status.status != status_word::ok) {
        diagnostics = "LIST failed: " + util::quote_server_text(listed.status.text);
        co_return imap_errc::command_failed;
    }
    folders.clear();
    for (const auto& r : listed.untagged)
        if (const auto* l = std::get_if<list_data>(&r); l != nullptr && !l->lsub)
            folders.push_back(to_folder(*l));
    for (const auto& r : listed.untagged)
        if (const auto* s = std::get_if<status_data>(&r))
            apply(*s, folders);
    if (list_status)
        co_return std::error_code();

    for (auto& f : folders) {
        if (!f.selectable)
            continue;
        command_result status;
        if (const auto ec =
                co_await session.run(fsm.writer().status(f.wire_name, count_items()), status)) {
            diagnostics = session.diagnostics();
            co_return ec;
        }
        for (const auto& r : status.untagged)
            if (const auto* s = std::get_if<status_data>(&r))
                apply(*s, folders);
    }
    co_return std::error_code();
}

} // namespace postfach::imap
