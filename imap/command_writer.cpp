#include "imap/command_writer.hpp"

#include "util/base64.hpp"

namespace postfach::imap {

namespace {

// RFC 7888 §5: LITERAL- allows non-synchronizing literals only up to this size.
constexpr std::uint64_t literal_minus_limit = 4096;
// Longer strings go as literals, keeping command lines short.
constexpr std::size_t max_quoted_size = 1000;

bool atom_char(unsigned char c) {
    return c > 0x20 && c < 0x7f && c != '(' && c != ')' && c != '{' && c != '%' && c != '*' &&
           c != '"' && c != '\\' && c != ']';
}

bool all_of(std::string_view s, bool (*pred)(unsigned char)) {
    for (const char c : s)
        if (!pred(static_cast<unsigned char>(c)))
            return false;
    return true;
}

bool astring_char(unsigned char c) {
    return atom_char(c) || c == ']';
}
bool list_char(unsigned char c) {
    return astring_char(c) || c == '%' || c == '*';
}
bool quotable_char(unsigned char c) {
    return c >= 0x20 && c < 0x7f;
}

// Accumulates the parts of one command.
class builder {
public:
    builder(literal_mode mode, std::string tag, std::string name)
        : mode_(mode) {
        command_.tag = std::move(tag);
        command_.name = std::move(name);
        if (!command_.tag.empty())
            line_ = command_.tag + ' ';
    }

    builder& raw(std::string_view text) {
        line_ += text;
        return *this;
    }
    builder& sp() { return raw(" "); }
    builder& number(std::uint64_t n) { return raw(std::to_string(n)); }

    // astring: atom if possible, else quoted, else literal.
    builder& astring(std::string_view s, bool sensitive = false) {
        if (!s.empty() && all_of(s, astring_char)) {
            line_ += s;
            sensitive_ |= sensitive;
            return *this;
        }
        return string(s, sensitive);
    }
    // list-mailbox: like astring, wildcards allowed unquoted.
    builder& list_mailbox(std::string_view s) {
        if (!s.empty() && all_of(s, list_char))
            return raw(s);
        return string(s);
    }
    // string: quoted if possible, else literal.
    builder& string(std::string_view s, bool sensitive = false) {
        if (auto quoted = quoted_string(s)) {
            line_ += *quoted;
            sensitive_ |= sensitive;
            return *this;
        }
        return literal(s, sensitive);
    }
    builder& literal(std::string_view bytes, bool sensitive) {
        literal_marker(bytes.size());
        line_ += bytes;
        sensitive_ |= sensitive;
        return *this;
    }
    // A literal whose bytes the caller supplies.
    builder& body(std::uint64_t size) {
        literal_marker(size);
        flush();
        command_part part;
        part.type = command_part::kind::body;
        part.body_size = size;
        command_.parts.push_back(std::move(part));
        return *this;
    }
    builder& atom_list(const std::vector<std::string>& atoms) {
        line_ += '(';
        for (std::size_t i = 0; i < atoms.size(); ++i) {
            if (i > 0)
                line_ += ' ';
            line_ += atoms[i];
        }
        line_ += ')';
        return *this;
    }
    builder& mark_sensitive() {
        sensitive_ = true;
        return *this;
    }

    command finish() {
        line_ += "\r\n";
        flush();
        return std::move(command_);
    }

private:
    void literal_marker(std::uint64_t size) {
        const bool non_sync = mode_ == literal_mode::literal_plus ||
                              (mode_ == literal_mode::literal_minus && size <= literal_minus_limit);
        line_ += '{' + std::to_string(size) + (non_sync ? "+}\r\n" : "}\r\n");
        if (!non_sync) {
            flush();
            command_.parts.push_back({command_part::kind::wait_for_continuation, {}, 0, false});
        }
    }
    void flush() {
        if (line_.empty())
            return;
        command_.parts.push_back({command_part::kind::bytes, std::move(line_), 0, sensitive_});
        line_.clear();
        sensitive_ = false;
    }

    literal_mode mode_;
    command command_;
    std::string line_;
    bool sensitive_ = false;
};

} // namespace

std::optional<std::string> quoted_string(std::string_view text) {
    if (text.size() > max_quoted_size || !all_of(text, quotable_char))
        return std::nullopt;
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + '"';
}

std::string command_writer::next_tag() {
    return "A" + std::to_string(next_tag_++);
}

command command_writer::simple(std::string_view name) {
    return builder(literal_mode_, next_tag(), std::string(name)).raw(name).finish();
}

command command_writer::done() {
    return builder(literal_mode::synchronizing, {}, "DONE").raw("DONE").finish();
}

command command_writer::enable(const std::vector<std::string>& capabilities) {
    builder b(literal_mode_, next_tag(), "ENABLE");
    b.raw("ENABLE");
    for (const auto& capability : capabilities)
        b.sp().raw(capability);
    return b.finish();
}

command command_writer::login(std::string_view user, const secret_string& password) {
    return builder(literal_mode_, next_tag(), "LOGIN")
        .raw("LOGIN ")
        .astring(user)
        .sp()
        .astring(password.reveal(), true)
        .finish();
}

command command_writer::authenticate(std::string_view mechanism,
                                     const std::optional<secret_string>& initial_response) {
    builder b(literal_mode_, next_tag(), "AUTHENTICATE");
    b.raw("AUTHENTICATE ").raw(mechanism);
    if (initial_response) {
        const auto encoded = util::base64_encode(initial_response->reveal());
        b.sp().raw(encoded.empty() ? "=" : encoded).mark_sensitive();
    }
    return b.finish();
}

command command_writer::sasl_response(const secret_string& response) {
    return builder(literal_mode::synchronizing, {}, "AUTHENTICATE")
        .raw(util::base64_encode(response.reveal()))
        .mark_sensitive()
        .finish();
}

command command_writer::sasl_cancel() {
    return builder(literal_mode::synchronizing, {}, "AUTHENTICATE").raw("*").finish();
}

command command_writer::select_like(std::string_view name, std::string_view mailbox,
                                    const select_options& options) {
    builder b(literal_mode_, next_tag(), std::string(name));
    b.raw(name).sp().astring(mailbox);
    if (options.qresync) {
        const auto& q = *options.qresync;
        b.raw(" (QRESYNC (").number(q.uidvalidity).sp().number(q.modseq);
        if (q.known_uids && !q.known_uids->empty())
            b.sp().raw(q.known_uids->to_string());
        b.raw("))");
    } else if (options.condstore) {
        b.raw(" (CONDSTORE)");
    }
    return b.finish();
}

command command_writer::select(std::string_view mailbox, const select_options& options) {
    return select_like("SELECT", mailbox, options);
}

command command_writer::examine(std::string_view mailbox, const select_options& options) {
    return select_like("EXAMINE", mailbox, options);
}

command command_writer::list(std::string_view reference, std::string_view pattern,
                             const list_return_options& options) {
    builder b(literal_mode_, next_tag(), "LIST");
    b.raw("LIST ").astring(reference).sp().list_mailbox(pattern);
    std::vector<std::string> returns;
    if (options.special_use)
        returns.emplace_back("SPECIAL-USE");
    if (!options.status_items.empty()) {
        std::string status = "STATUS (";
        for (std::size_t i = 0; i < options.status_items.size(); ++i)
            status += (i > 0 ? " " : "") + options.status_items[i];
        returns.push_back(status + ')');
    }
    if (!returns.empty())
        b.raw(" RETURN ").atom_list(returns);
    return b.finish();
}

command command_writer::status(std::string_view mailbox, const std::vector<std::string>& items) {
    return builder(literal_mode_, next_tag(), "STATUS")
        .raw("STATUS ")
        .astring(mailbox)
        .sp()
        .atom_list(items)
        .finish();
}

command command_writer::with_mailbox(std::string_view name, std::string_view mailbox) {
    return builder(literal_mode_, next_tag(), std::string(name))
        .raw(name)
        .sp()
        .astring(mailbox)
        .finish();
}

command command_writer::create(std::string_view mailbox) {
    return with_mailbox("CREATE", mailbox);
}

command command_writer::delete_mailbox(std::string_view mailbox) {
    return with_mailbox("DELETE", mailbox);
}

command command_writer::subscribe(std::string_view mailbox) {
    return with_mailbox("SUBSCRIBE", mailbox);
}

command command_writer::rename(std::string_view from, std::string_view to) {
    return builder(literal_mode_, next_tag(), "RENAME")
        .raw("RENAME ")
        .astring(from)
        .sp()
        .astring(to)
        .finish();
}

command command_writer::uid_search(std::string_view criteria,
                                   const std::vector<std::string>& return_options) {
    builder b(literal_mode_, next_tag(), "UID SEARCH");
    b.raw("UID SEARCH ");
    if (!return_options.empty())
        b.raw("RETURN ").atom_list(return_options).sp();
    return b.raw(criteria).finish();
}

command command_writer::notify_set(const std::vector<notify_event_group>& groups) {
    builder b(literal_mode_, next_tag(), "NOTIFY");
    b.raw("NOTIFY SET");
    for (const auto& group : groups)
        b.raw(" (").raw(group.filter).sp().atom_list(group.events).raw(")");
    return b.finish();
}

command command_writer::id(const std::vector<std::pair<std::string, std::string>>& fields) {
    builder b(literal_mode_, next_tag(), "ID");
    b.raw("ID ");
    if (fields.empty())
        return b.raw("NIL").finish();
    b.raw("(");
    bool first = true;
    for (const auto& [name, value] : fields) {
        if (!first)
            b.sp();
        first = false;
        b.string(name).sp().string(value);
    }
    return b.raw(")").finish();
}

command command_writer::uid_fetch(const uid_set& uids, const std::vector<std::string>& items,
                                  std::optional<std::uint64_t> changed_since, bool vanished) {
    builder b(literal_mode_, next_tag(), "UID FETCH");
    b.raw("UID FETCH ").raw(uids.to_string()).sp().atom_list(items);
    if (changed_since) {
        b.raw(" (CHANGEDSINCE ").number(*changed_since);
        if (vanished)
            b.raw(" VANISHED");
        b.raw(")");
    }
    return b.finish();
}

command command_writer::uid_store(const uid_set& uids, store_action action,
                                  const std::vector<std::string>& flags, bool silent,
                                  std::optional<std::uint64_t> unchanged_since) {
    builder b(literal_mode_, next_tag(), "UID STORE");
    b.raw("UID STORE ").raw(uids.to_string());
    if (unchanged_since)
        b.raw(" (UNCHANGEDSINCE ").number(*unchanged_since).raw(")");
    b.raw(action == store_action::add      ? " +FLAGS"
          : action == store_action::remove ? " -FLAGS"
                                           : " FLAGS");
    if (silent)
        b.raw(".SILENT");
    return b.sp().atom_list(flags).finish();
}

command command_writer::uid_expunge(const uid_set& uids) {
    return builder(literal_mode_, next_tag(), "UID EXPUNGE")
        .raw("UID EXPUNGE ")
        .raw(uids.to_string())
        .finish();
}

command command_writer::uid_to_mailbox(std::string_view name, const uid_set& uids,
                                       std::string_view mailbox) {
    return builder(literal_mode_, next_tag(), std::string(name))
        .raw(name)
        .sp()
        .raw(uids.to_string())
        .sp()
        .astring(mailbox)
        .finish();
}

command command_writer::uid_copy(const uid_set& uids, std::string_view mailbox) {
    return uid_to_mailbox("UID COPY", uids, mailbox);
}

command command_writer::uid_move(const uid_set& uids, std::string_view mailbox) {
    return uid_to_mailbox("UID MOVE", uids, mailbox);
}

command command_writer::append(std::string_view mailbox, const std::vector<std::string>& flags,
                               std::optional<std::string_view> internal_date, std::uint64_t size) {
    builder b(literal_mode_, next_tag(), "APPEND");
    b.raw("APPEND ").astring(mailbox);
    if (!flags.empty())
        b.sp().atom_list(flags);
    if (internal_date)
        b.sp().string(*internal_date);
    return b.sp().body(size).finish();
}

} // namespace postfach::imap
