#include "imap/response_parser.hpp"

#include "imap/imap_errc.hpp"
#include "util/ascii.hpp"
#include "util/server_text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace postfach::imap {

namespace {

bool is_status_word(std::string_view word) {
    return util::ascii_iequals(word, "OK") || util::ascii_iequals(word, "NO") ||
           util::ascii_iequals(word, "BAD") || util::ascii_iequals(word, "PREAUTH") ||
           util::ascii_iequals(word, "BYE");
}

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

template <typename Number>
std::optional<Number> to_number(std::string_view s) {
    if (!all_digits(s))
        return std::nullopt;
    Number value{};
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || end != s.data() + s.size())
        return std::nullopt;
    return value;
}

// A FETCH item name split into its parts: BODY[HEADER.FIELDS (A)]<0>.
struct item_name {
    std::string name; // upper-cased
    bool has_section = false;
    std::string section;
    std::optional<std::uint64_t> origin;
};

// Splits an item name as it appears in a FETCH response; nullopt if it is not well formed.
std::optional<item_name> split_item_name(std::string_view text) {
    item_name item;
    const auto bracket = text.find('[');
    item.name = util::ascii_upper(text.substr(0, bracket));
    if (bracket == std::string_view::npos)
        return item;
    const auto close = text.rfind(']');
    if (close == std::string_view::npos || close < bracket)
        return std::nullopt;
    item.has_section = true;
    item.section = std::string(text.substr(bracket + 1, close - bracket - 1));
    auto rest = text.substr(close + 1);
    if (rest.empty())
        return item;
    if (rest.size() < 3 || rest.front() != '<' || rest.back() != '>')
        return std::nullopt;
    item.origin = to_number<std::uint64_t>(rest.substr(1, rest.size() - 2));
    if (!item.origin)
        return std::nullopt;
    return item;
}

// Items whose value is a message body (or a part of one), streamed to the body_sink.
bool is_body_item(const item_name& item) {
    if (item.has_section)
        return item.name == "BODY" || item.name == "BINARY";
    return item.name == "RFC822" || item.name == "RFC822.HEADER" || item.name == "RFC822.TEXT";
}

// A literal marker "{n}", "{n+}" or "~{n}" at the end of a line.
struct literal_marker {
    std::size_t start = 0; // offset of '{' or '~' within the line
    std::string_view digits;
};

std::optional<literal_marker> find_literal_marker(std::string_view line) {
    if (line.empty() || line.back() != '}')
        return std::nullopt;
    const auto open = line.rfind('{');
    if (open == std::string_view::npos)
        return std::nullopt;
    auto digits = line.substr(open + 1, line.size() - open - 2);
    if (!digits.empty() && digits.back() == '+')
        digits.remove_suffix(1);
    if (!all_digits(digits))
        return std::nullopt;
    literal_marker marker;
    marker.start = open > 0 && line[open - 1] == '~' ? open - 1 : open;
    marker.digits = digits;
    return marker;
}

struct parse_failure {
    imap_errc code;
    std::string what;
    std::size_t pos;
};

// A string value: quoted, literal, atom, NIL, or a literal already streamed to the sink.
struct string_value {
    bool nil = false;
    bool streamed = false;
    std::string data;
    std::uint64_t size = 0; // streamed: its size
};

// Recursive-descent parser over the buffered text of one complete response.
class reader {
public:
    reader(std::string_view text, const std::vector<std::size_t>& streamed, int max_depth,
           body_sink* sink)
        : text_(text)
        , streamed_(streamed)
        , max_depth_(max_depth)
        , sink_(sink) {
        // The final line ending; inner ones follow literal markers and are read with them.
        if (!text_.empty() && text_.back() == '\n')
            text_.remove_suffix(1);
        if (!text_.empty() && text_.back() == '\r')
            text_.remove_suffix(1);
    }

    response parse() {
        if (eat('+')) {
            eat(' ');
            return continuation_response{std::string(rest())};
        }
        const auto tag = until_space();
        if (tag.empty())
            fail("missing tag");
        expect(' ');
        if (tag != "*") {
            const auto word = util::ascii_upper(atom());
            if (word != "OK" && word != "NO" && word != "BAD")
                fail("tagged response is not OK, NO or BAD");
            return status(std::string(tag), word);
        }
        if (std::isdigit(static_cast<unsigned char>(peek())) != 0) {
            const auto n = number32();
            expect(' ');
            const auto word = util::ascii_upper(atom());
            if (word == "EXISTS")
                return finish(exists_data{n});
            if (word == "RECENT")
                return finish(recent_data{n});
            if (word == "EXPUNGE")
                return finish(expunge_data{n});
            if (word == "FETCH") {
                expect(' ');
                return finish(fetch(n));
            }
            return unknown_data{word};
        }
        const auto word = util::ascii_upper(atom());
        if (is_status_word(word))
            return status({}, word);
        if (word == "CAPABILITY")
            return finish(capability_data{upper_atoms()});
        if (word == "ENABLED")
            return finish(enabled_data{upper_atoms()});
        if (word == "FLAGS") {
            expect(' ');
            return finish(flags_data{flag_list()});
        }
        if (word == "LIST" || word == "LSUB")
            return list(word == "LSUB");
        if (word == "STATUS")
            return status_items();
        if (word == "SEARCH")
            return search();
        if (word == "ESEARCH")
            return esearch();
        if (word == "VANISHED")
            return vanished();
        return unknown_data{word};
    }

    [[nodiscard]] std::size_t position() const noexcept { return pos_; }

private:
    [[noreturn]] void fail(std::string what, imap_errc code = imap_errc::syntax_error) const {
        throw parse_failure{code, std::move(what), pos_};
    }

    [[nodiscard]] bool at_end() const { return pos_ >= text_.size(); }
    [[nodiscard]] char peek() const { return at_end() ? '\0' : text_[pos_]; }
    bool eat(char c) {
        if (peek() != c || at_end())
            return false;
        ++pos_;
        return true;
    }
    void expect(char c) {
        if (!eat(c))
            fail(at_end() ? std::string("unexpected end, expected '") + c + "'"
                          : std::string("expected '") + c + "'");
    }
    std::string_view rest() {
        auto r = text_.substr(pos_);
        pos_ = text_.size();
        return r;
    }
    template <typename T>
    T finish(T value) {
        if (!at_end())
            fail("unexpected data at the end of the response");
        return value;
    }

    std::string_view take_while(bool (*pred)(unsigned char)) {
        const auto start = pos_;
        while (!at_end() && pred(static_cast<unsigned char>(text_[pos_])))
            ++pos_;
        return text_.substr(start, pos_ - start);
    }
    std::string_view until_space() {
        return take_while([](unsigned char c) { return c != ' '; });
    }

    // ATOM-CHAR: any CHAR except atom-specials ( ) { SP CTL % * " \ ].
    static bool atom_char(unsigned char c) {
        return c > 0x20 && c < 0x7f && c != '(' && c != ')' && c != '{' && c != '%' && c != '*' &&
               c != '"' && c != '\\' && c != ']';
    }
    // ASTRING-CHAR as the server uses it in mailbox names; ']' allowed, wildcards tolerated.
    static bool astring_char(unsigned char c) {
        return (c > 0x20 && c != 0x7f && c != '(' && c != ')' && c != '{' && c != '"' && c != '\\');
    }
    std::string_view atom() {
        const auto a = take_while(atom_char);
        if (a.empty())
            fail("expected an atom");
        return a;
    }
    template <typename Number>
    Number number_of_type(const char* what) {
        const auto digits = take_while([](unsigned char c) { return std::isdigit(c) != 0; });
        const auto value = to_number<Number>(digits);
        if (!value)
            fail(std::string("expected ") + what);
        return *value;
    }
    std::uint32_t number32() { return number_of_type<std::uint32_t>("a number"); }
    std::uint32_t nz_number() {
        const auto n = number32();
        if (n == 0)
            fail("expected a non-zero number");
        return n;
    }
    std::uint64_t number64() {
        const auto n = number_of_type<std::uint64_t>("a 64-bit number");
        if (n > 0x7fffffffffffffffULL)
            fail("number above 2^63-1");
        return n;
    }

    void enter_list() {
        expect('(');
        if (++depth_ > max_depth_)
            fail("lists nested too deeply", imap_errc::nesting_too_deep);
    }
    void leave_list() {
        expect(')');
        --depth_;
    }
    // Calls item() for each element of "(a b c)"; "()" is empty.
    template <typename F>
    void for_each_in_list(F item) {
        enter_list();
        if (!eat(')')) {
            do {
                item();
            } while (eat(' '));
            leave_list();
        } else {
            --depth_;
        }
    }

    // " A B C" up to the end or "]"; a trailing space is tolerated (some servers send one).
    std::vector<std::string> upper_atoms() {
        std::vector<std::string> out;
        while (eat(' ') && !at_end() && peek() != ']')
            out.push_back(util::ascii_upper(atom()));
        return out;
    }
    // A flag: \Seen, \*, $Forwarded, keyword.
    std::string flag() {
        const auto start = pos_;
        if (eat('\\')) {
            if (!eat('*'))
                atom();
        } else {
            atom();
        }
        return std::string(text_.substr(start, pos_ - start));
    }
    std::vector<std::string> flag_list() {
        std::vector<std::string> flags;
        for_each_in_list([&] { flags.push_back(flag()); });
        return flags;
    }

    // string / nstring / astring, literal8 allowed.
    string_value string_like(bool allow_nil, bool allow_atom) {
        string_value value;
        const char c = peek();
        if (c == '"') {
            ++pos_;
            while (true) {
                if (at_end())
                    fail("unterminated quoted string");
                char ch = text_[pos_++];
                if (ch == '"')
                    break;
                if (ch == '\\') {
                    if (at_end() || (text_[pos_] != '"' && text_[pos_] != '\\'))
                        fail("bad escape in quoted string");
                    ch = text_[pos_++];
                }
                if (ch == '\r' || ch == '\n')
                    fail("line break in quoted string");
                value.data += ch;
            }
            value.size = value.data.size();
            return value;
        }
        if (c == '{' || c == '~') {
            const auto marker = pos_;
            eat('~');
            expect('{');
            const auto size = number64();
            eat('+');
            expect('}');
            eat('\r');
            expect('\n');
            value.size = size;
            if (next_streamed_ < streamed_.size() && streamed_[next_streamed_] == marker) {
                ++next_streamed_;
                value.streamed = true;
                return value;
            }
            if (size > text_.size() - pos_)
                fail("literal runs past the response");
            value.data = std::string(text_.substr(pos_, size));
            pos_ += size;
            return value;
        }
        const auto word = take_while(astring_char);
        if (word.empty())
            fail("expected a string");
        if (allow_nil && util::ascii_iequals(word, "NIL")) {
            value.nil = true;
            return value;
        }
        if (!allow_atom)
            fail("expected a quoted string or a literal");
        value.data = std::string(word);
        value.size = value.data.size();
        return value;
    }

    // Skips any value: atom, number, string, literal, NIL, list (with BODY[...]-style atoms).
    void skip_value() {
        const char c = peek();
        if (c == '(') {
            for_each_in_list([&] { skip_value(); });
            return;
        }
        if (c == '"' || c == '{' || c == '~') {
            string_like(false, false);
            return;
        }
        const auto start = pos_;
        while (!at_end()) {
            const char ch = text_[pos_];
            if (ch == ' ' || ch == ')' || ch == '(')
                break;
            if (ch == '[') {
                section_text();
                continue;
            }
            ++pos_;
        }
        if (pos_ == start)
            fail("expected a value");
    }

    // "[...]" with quoted strings inside; returns what is between the brackets.
    std::string_view section_text() {
        expect('[');
        const auto start = pos_;
        while (true) {
            if (at_end())
                fail("unterminated [");
            const char ch = text_[pos_];
            if (ch == ']')
                break;
            if (ch == '"')
                string_like(false, false);
            else if (ch == '\r' || ch == '\n')
                fail("line break in [");
            else
                ++pos_;
        }
        const auto section = text_.substr(start, pos_ - start);
        ++pos_;
        return section;
    }

    status_response status(std::string tag, std::string_view word) {
        status_response r;
        r.tag = std::move(tag);
        r.status = word == "OK"    ? status_word::ok
                   : word == "NO"  ? status_word::no
                   : word == "BAD" ? status_word::bad
                   : word == "BYE" ? status_word::bye
                                   : status_word::preauth;
        if (r.tagged() && (r.status == status_word::bye || r.status == status_word::preauth))
            fail("tagged BYE or PREAUTH");
        if (at_end())
            return r;
        expect(' ');
        if (peek() == '[') {
            r.code = code();
            eat(' ');
        }
        r.text = std::string(rest());
        return r;
    }

    response_code code() {
        expect('[');
        response_code c;
        c.name = util::ascii_upper(atom());
        static constexpr std::pair<std::string_view, response_code_kind> kinds[] = {
            {"ALERT", response_code_kind::alert},
            {"CAPABILITY", response_code_kind::capability},
            {"UIDVALIDITY", response_code_kind::uidvalidity},
            {"UIDNEXT", response_code_kind::uidnext},
            {"UNSEEN", response_code_kind::unseen},
            {"HIGHESTMODSEQ", response_code_kind::highestmodseq},
            {"NOMODSEQ", response_code_kind::nomodseq},
            {"APPENDUID", response_code_kind::appenduid},
            {"COPYUID", response_code_kind::copyuid},
            {"PERMANENTFLAGS", response_code_kind::permanentflags},
            {"READ-ONLY", response_code_kind::read_only},
            {"READ-WRITE", response_code_kind::read_write},
            {"TRYCREATE", response_code_kind::trycreate},
            {"CLOSED", response_code_kind::closed},
            {"MODIFIED", response_code_kind::modified},
            {"UIDNOTSTICKY", response_code_kind::uidnotsticky},
        };
        for (const auto& [name, kind] : kinds)
            if (c.name == name)
                c.kind = kind;
        switch (c.kind) {
        case response_code_kind::capability:
            c.atoms = upper_atoms();
            break;
        case response_code_kind::permanentflags:
            expect(' ');
            c.atoms = flag_list();
            break;
        case response_code_kind::uidvalidity:
        case response_code_kind::uidnext:
        case response_code_kind::unseen:
            expect(' ');
            c.number = number32();
            break;
        case response_code_kind::highestmodseq:
            expect(' ');
            c.number = number64();
            break;
        case response_code_kind::appenduid:
            expect(' ');
            c.uidvalidity = nz_number();
            expect(' ');
            c.uids = set();
            break;
        case response_code_kind::copyuid:
            expect(' ');
            c.uidvalidity = nz_number();
            expect(' ');
            c.source_uids = set();
            expect(' ');
            c.uids = set();
            break;
        case response_code_kind::modified:
            expect(' ');
            c.uids = set();
            break;
        case response_code_kind::other:
            if (eat(' ')) {
                const auto start = pos_;
                while (!at_end() && text_[pos_] != ']')
                    ++pos_;
                c.text = std::string(text_.substr(start, pos_ - start));
            }
            break;
        default:
            break;
        }
        expect(']');
        return c;
    }

    uid_set set() {
        const auto text = take_while([](unsigned char ch) {
            return std::isdigit(ch) != 0 || ch == ':' || ch == ',' || ch == '*';
        });
        auto parsed = uid_set::parse(text);
        if (!parsed)
            fail("expected a sequence set");
        return std::move(*parsed);
    }

    fetch_data fetch(std::uint32_t seq) {
        fetch_data f;
        f.seq = seq;
        for_each_in_list([&] { fetch_item(f); });
        return f;
    }

    void fetch_item(fetch_data& f) {
        const auto start = pos_;
        while (!at_end() && text_[pos_] != ' ' && text_[pos_] != ')' && text_[pos_] != '(') {
            if (text_[pos_] == '[')
                section_text();
            else
                ++pos_;
        }
        const auto item = split_item_name(text_.substr(start, pos_ - start));
        if (!item || item->name.empty())
            fail("malformed FETCH item name");
        expect(' ');
        const auto& name = item->name;
        if (is_body_item(*item)) {
            body_item(f, *item);
        } else if (name == "UID") {
            f.uid = nz_number();
        } else if (name == "FLAGS") {
            f.flags = flag_list();
        } else if (name == "INTERNALDATE") {
            f.internal_date = string_like(false, false).data;
        } else if (name == "RFC822.SIZE") {
            f.rfc822_size = number64();
        } else if (name == "MODSEQ") {
            enter_list();
            f.modseq = number64();
            leave_list();
        } else if (name == "EMAILID") {
            enter_list();
            f.email_id = std::string(atom());
            leave_list();
        } else {
            skip_value();
        }
    }

    void body_item(fetch_data& f, const item_name& item) {
        auto value = string_like(true, false);
        fetch_body body{item.name, item.section, item.origin, value.size, value.nil};
        // A streamed literal went to the sink already, during framing.
        if (!value.nil && !value.streamed && sink_ != nullptr) {
            sink_->begin({f.seq, f.uid, body.item, body.section, body.origin, body.size});
            if (!value.data.empty())
                sink_->data(value.data);
            sink_->end();
        }
        f.bodies.push_back(std::move(body));
    }

    list_data list(bool lsub) {
        list_data l;
        l.lsub = lsub;
        expect(' ');
        for_each_in_list([&] { l.attributes.push_back(flag()); });
        expect(' ');
        const auto delimiter = string_like(true, false);
        if (!delimiter.nil) {
            if (delimiter.data.size() != 1)
                fail("hierarchy delimiter is not one character");
            l.delimiter = delimiter.data[0];
        }
        expect(' ');
        l.mailbox = mailbox();
        // RFC 5258 extended data, e.g. ("CHILDINFO" ("SUBSCRIBED")): not used, skipped.
        while (eat(' '))
            skip_value();
        return finish(std::move(l));
    }

    std::string mailbox() {
        auto value = string_like(false, true);
        if (value.streamed)
            fail("mailbox name streamed as a body");
        return std::move(value.data);
    }

    status_data status_items() {
        status_data s;
        expect(' ');
        s.mailbox = mailbox();
        expect(' ');
        for_each_in_list([&] {
            auto name = util::ascii_upper(atom());
            expect(' ');
            s.items.emplace_back(std::move(name), number64());
        });
        eat(' '); // some servers send a trailing space
        return finish(std::move(s));
    }

    search_data search() {
        search_data s;
        while (eat(' ')) {
            if (peek() == '(') {
                enter_list();
                if (util::ascii_upper(atom()) != "MODSEQ")
                    fail("expected (MODSEQ n)");
                expect(' ');
                s.modseq = number64();
                leave_list();
                break;
            }
            if (at_end())
                break; // some servers end with a space
            s.numbers.push_back(nz_number());
        }
        return finish(std::move(s));
    }

    esearch_data esearch() {
        esearch_data e;
        if (peek() == ' ' && text_.substr(pos_, 2) == " (") {
            ++pos_;
            enter_list();
            if (util::ascii_upper(atom()) != "TAG")
                fail("expected TAG in ESEARCH correlator");
            expect(' ');
            e.tag = string_like(false, false).data;
            leave_list();
        }
        while (eat(' ')) {
            const auto name = util::ascii_upper(atom());
            if (name == "UID") {
                e.uid = true;
                continue;
            }
            expect(' ');
            if (name == "MIN")
                e.min = nz_number();
            else if (name == "MAX")
                e.max = nz_number();
            else if (name == "COUNT")
                e.count = number32();
            else if (name == "ALL")
                e.all = set();
            else if (name == "MODSEQ")
                e.modseq = number64();
            else
                skip_value();
        }
        return finish(std::move(e));
    }

    vanished_data vanished() {
        vanished_data v;
        expect(' ');
        if (peek() == '(') {
            enter_list();
            if (util::ascii_upper(atom()) != "EARLIER")
                fail("expected (EARLIER)");
            leave_list();
            v.earlier = true;
            expect(' ');
        }
        v.uids = set();
        return finish(std::move(v));
    }

    std::string_view text_;
    const std::vector<std::size_t>& streamed_;
    std::size_t next_streamed_ = 0;
    int max_depth_;
    int depth_ = 0;
    body_sink* sink_;
    std::size_t pos_ = 0;
};

} // namespace

response_parser::response_parser(parser_limits limits)
    : limits_(limits) {}

bool response_parser::mid_response() const noexcept {
    return state_ == state::literal || state_ == state::body_literal || !text_.empty();
}

void response_parser::reset() {
    reset_response();
    state_ = state::line;
    failure_.clear();
    diagnostics_.clear();
}

void response_parser::reset_response() {
    text_.clear();
    line_start_ = 0;
    literal_remaining_ = 0;
    streamed_.clear();
    context_.clear();
    kind_ = kind::unknown;
    seq_ = 0;
    depth_ = 0;
    bracket_ = 0;
    in_quote_ = false;
    escape_ = false;
    atom_start_ = std::string::npos;
    last_atom_start_ = std::string::npos;
    last_atom_end_ = std::string::npos;
    previous_atom_was_uid_ = false;
    uid_.reset();
}

void response_parser::fail(std::error_code& ec, std::error_code error, std::string_view what,
                           std::string_view near) {
    diagnostics_ = (context_.empty() ? std::string("response") : context_) + ": " +
                   std::string(what) + " near " + util::quote_server_text(near);
    failure_ = error;
    ec = error;
    state_ = state::failed;
    // Free the memory a hostile response may have made us buffer.
    text_.clear();
    text_.shrink_to_fit();
}

std::optional<response> response_parser::consume(std::string_view& input, std::error_code& ec) {
    ec.clear();
    if (state_ == state::failed) {
        ec = imap_errc::parser_failed;
        return std::nullopt;
    }
    while (!input.empty()) {
        switch (state_) {
        case state::line: {
            const auto newline = input.find('\n');
            const auto take = newline == std::string_view::npos ? input.size() : newline + 1;
            // Refuse before buffering: a hostile line never costs more than the limit.
            if (text_.size() - line_start_ + take > limits_.max_line_size + 2) {
                text_.append(input.substr(0, std::min<std::size_t>(take, 100)));
                input.remove_prefix(take);
                fail(ec, imap_errc::line_too_long,
                     "line longer than " + std::to_string(limits_.max_line_size) + " bytes",
                     std::string_view(text_).substr(line_start_));
                return std::nullopt;
            }
            text_.append(input.substr(0, take));
            input.remove_prefix(take);
            // The line's text without its CRLF (a CR alone may still be followed by LF).
            auto line_size = text_.size() - line_start_;
            if (newline != std::string_view::npos)
                --line_size;
            if (line_size > 0 && text_[line_start_ + line_size - 1] == '\r')
                --line_size;
            if (line_size > limits_.max_line_size) {
                fail(ec, imap_errc::line_too_long,
                     "line longer than " + std::to_string(limits_.max_line_size) + " bytes",
                     std::string_view(text_).substr(line_start_));
                return std::nullopt;
            }
            if (text_.size() > limits_.max_response_size) {
                fail(ec, imap_errc::response_too_large,
                     "response larger than " + std::to_string(limits_.max_response_size) + " bytes",
                     std::string_view(text_).substr(line_start_));
                return std::nullopt;
            }
            if (newline == std::string_view::npos)
                return std::nullopt;
            auto done = on_line_complete(ec);
            if (done || ec)
                return done;
            break;
        }
        case state::literal: {
            const auto take =
                static_cast<std::size_t>(std::min<std::uint64_t>(literal_remaining_, input.size()));
            text_.append(input.substr(0, take));
            input.remove_prefix(take);
            literal_remaining_ -= take;
            if (literal_remaining_ == 0) {
                state_ = state::line;
                line_start_ = text_.size();
            }
            break;
        }
        case state::body_literal: {
            const auto take =
                static_cast<std::size_t>(std::min<std::uint64_t>(literal_remaining_, input.size()));
            if (sink_ != nullptr)
                sink_->data(input.substr(0, take));
            input.remove_prefix(take);
            literal_remaining_ -= take;
            if (literal_remaining_ == 0) {
                if (sink_ != nullptr)
                    sink_->end();
                state_ = state::line;
                line_start_ = text_.size();
            }
            break;
        }
        case state::failed:
            ec = imap_errc::parser_failed;
            return std::nullopt;
        }
    }
    return std::nullopt;
}

std::optional<response> response_parser::on_line_complete(std::error_code& ec) {
    auto line = std::string_view(text_).substr(line_start_);
    line.remove_suffix(1); // '\n'
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    if (line_start_ == 0)
        classify_first_line(line);
    if (kind_ == kind::single_line)
        return finish_response(ec);

    const auto marker = find_literal_marker(line);
    const auto scan_end = line_start_ + (marker ? marker->start : line.size());
    scan(line_start_, scan_end);
    if (depth_ > limits_.max_nesting_depth) {
        fail(ec, imap_errc::nesting_too_deep,
             "lists nested deeper than " + std::to_string(limits_.max_nesting_depth), line);
        return std::nullopt;
    }
    if (in_quote_) {
        fail(ec, imap_errc::syntax_error, "quoted string not closed at the end of the line", line);
        return std::nullopt;
    }
    if (!marker)
        return finish_response(ec);

    const auto size = to_number<std::uint64_t>(marker->digits);
    if (!size || *size > limits_.max_literal_size) {
        fail(ec, imap_errc::literal_too_large,
             "literal larger than " + std::to_string(limits_.max_literal_size) + " bytes", line);
        return std::nullopt;
    }
    const auto marker_offset = line_start_ + marker->start;
    if (start_body_literal(marker_offset, *size)) {
        streamed_.push_back(marker_offset);
        literal_remaining_ = *size;
        state_ = state::body_literal;
        if (*size == 0) {
            if (sink_ != nullptr)
                sink_->end();
            state_ = state::line;
            line_start_ = text_.size();
        }
        return std::nullopt;
    }
    if (*size > limits_.max_response_size - std::min(limits_.max_response_size, text_.size())) {
        fail(ec, imap_errc::response_too_large,
             "literal of " + std::to_string(*size) + " bytes exceeds the response limit of " +
                 std::to_string(limits_.max_response_size) + " bytes",
             line);
        return std::nullopt;
    }
    literal_remaining_ = *size;
    state_ = state::literal;
    if (*size == 0) {
        state_ = state::line;
        line_start_ = text_.size();
    }
    return std::nullopt;
}

void response_parser::classify_first_line(std::string_view line) {
    if (!line.empty() && line.front() == '+') {
        kind_ = kind::single_line;
        context_ = "continuation request";
        return;
    }
    auto rest = line;
    const auto word = [&rest] {
        const auto space = rest.find(' ');
        const auto w = rest.substr(0, space);
        rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
        return w;
    };
    const auto tag = word();
    auto second = word();
    if (tag != "*") {
        context_ = "tagged response " + util::quote_server_text(tag, 20);
        kind_ = kind::single_line;
        return;
    }
    if (is_status_word(second)) {
        context_ = "untagged " + util::ascii_upper(second);
        kind_ = kind::single_line;
        return;
    }
    kind_ = kind::data;
    if (all_digits(second)) {
        const auto third = word();
        context_ = "untagged " + util::quote_server_text(util::ascii_upper(third), 20);
        const auto seq = to_number<std::uint32_t>(second);
        if (util::ascii_iequals(third, "FETCH") && seq) {
            kind_ = kind::fetch;
            seq_ = *seq;
        }
        return;
    }
    context_ = "untagged " + util::quote_server_text(util::ascii_upper(second), 20);
}

void response_parser::scan(std::size_t from, std::size_t to) {
    // A literal ends whatever atom preceded it.
    atom_start_ = std::string::npos;
    for (auto i = from; i < to; ++i) {
        const char c = text_[i];
        if (in_quote_) {
            if (escape_)
                escape_ = false;
            else if (c == '\\')
                escape_ = true;
            else if (c == '"')
                in_quote_ = false;
            continue;
        }
        if (bracket_ > 0) {
            if (c == '[')
                ++bracket_;
            else if (c == ']')
                --bracket_;
            else if (c == '"')
                in_quote_ = true;
            continue;
        }
        switch (c) {
        case '"':
            finish_atom(i);
            in_quote_ = true;
            break;
        case '(':
            finish_atom(i);
            ++depth_;
            break;
        case ')':
            finish_atom(i);
            --depth_;
            break;
        case ' ':
            finish_atom(i);
            break;
        case '[':
            if (atom_start_ == std::string::npos)
                atom_start_ = i;
            ++bracket_;
            break;
        default:
            if (atom_start_ == std::string::npos)
                atom_start_ = i;
        }
    }
    if (!in_quote_ && bracket_ == 0)
        finish_atom(to);
}

void response_parser::finish_atom(std::size_t at) {
    if (atom_start_ == std::string::npos)
        return;
    if (kind_ == kind::fetch && depth_ == 1) {
        const auto atom = std::string_view(text_).substr(atom_start_, at - atom_start_);
        if (previous_atom_was_uid_)
            if (const auto uid = to_number<std::uint32_t>(atom))
                uid_ = *uid;
        previous_atom_was_uid_ = util::ascii_iequals(atom, "UID");
        last_atom_start_ = atom_start_;
        last_atom_end_ = at;
    }
    atom_start_ = std::string::npos;
}

bool response_parser::start_body_literal(std::size_t marker, std::uint64_t size) {
    if (kind_ != kind::fetch || depth_ != 1 || bracket_ != 0 ||
        last_atom_end_ == std::string::npos || last_atom_end_ < line_start_ ||
        last_atom_end_ >= marker)
        return false;
    // The item name must be right before the literal: "BODY[] {5}".
    const auto gap = std::string_view(text_).substr(last_atom_end_, marker - last_atom_end_);
    if (gap.find_first_not_of(' ') != std::string_view::npos)
        return false;
    const auto item = split_item_name(
        std::string_view(text_).substr(last_atom_start_, last_atom_end_ - last_atom_start_));
    if (!item || !is_body_item(*item))
        return false;
    if (sink_ != nullptr)
        sink_->begin({seq_, uid_, item->name, item->section, item->origin, size});
    return true;
}

std::optional<response> response_parser::finish_response(std::error_code& ec) {
    try {
        reader r(text_, streamed_, limits_.max_nesting_depth, sink_);
        auto result = r.parse();
        reset_response();
        return result;
    } catch (const parse_failure& failure) {
        const auto near_start = failure.pos > 40 ? failure.pos - 40 : 0;
        const auto near = std::string(std::string_view(text_).substr(near_start, 100));
        fail(ec, failure.code, failure.what + " at offset " + std::to_string(failure.pos), near);
        return std::nullopt;
    }
}

} // namespace postfach::imap
