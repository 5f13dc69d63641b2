#include "pop3/response_parser.hpp"

#include "pop3/pop3_errc.hpp"
#include "util/ascii.hpp"
#include "util/server_text.hpp" // shared: quoting of untrusted server text

#include <algorithm>
#include <cctype>
#include <charconv>

namespace postfach::pop3 {

namespace {

using util::quote_server_text;

template <typename T>
std::optional<T> parse_number(std::string_view digits) {
    if (digits.empty() ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    T value{};
    const auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (err != std::errc{} || end != digits.data() + digits.size())
        return std::nullopt;
    return value;
}

// Splits "first rest" at the first space; rest is empty without one.
std::pair<std::string_view, std::string_view> split_word(std::string_view text) {
    const auto space = text.find(' ');
    if (space == std::string_view::npos)
        return {text, {}};
    return {text.substr(0, space), text.substr(space + 1)};
}

bool is_multi_line(response_kind k) {
    return k == response_kind::capa || k == response_kind::uidl_all ||
           k == response_kind::list_all || k == response_kind::message;
}

} // namespace

std::optional<scan_listing> parse_scan_listing(std::string_view text) {
    const auto [number, rest] = split_word(text);
    const auto [size, extra] = split_word(rest);
    const auto n = parse_number<std::uint32_t>(number);
    const auto s = parse_number<std::uint64_t>(size);
    if (!n || !s)
        return std::nullopt;
    return scan_listing{*n, *s};
}

std::optional<uidl_entry> parse_uidl_entry(std::string_view text) {
    const auto [number, uid] = split_word(text);
    const auto n = parse_number<std::uint32_t>(number);
    if (!n || *n == 0 || uid.empty() || uid.size() > 70 ||
        !std::all_of(uid.begin(), uid.end(), [](char c) { return c >= 0x21 && c <= 0x7e; }))
        return std::nullopt;
    return uidl_entry{*n, std::string(uid)};
}

std::optional<capability> parse_capability(std::string_view line) {
    capability cap;
    while (!line.empty()) {
        auto [word, rest] = split_word(line);
        line = rest;
        if (word.empty())
            continue; // tolerate doubled or trailing spaces
        if (cap.name.empty()) {
            cap.name = util::ascii_upper(word);
        } else {
            cap.args.emplace_back(word);
        }
    }
    if (cap.name.empty())
        return std::nullopt;
    return cap;
}

response_parser::response_parser(parser_limits limits)
    : limits_(limits) {}

void response_parser::expect(response_kind kind, std::string_view command, message_sink* sink) {
    kind_ = kind;
    command_ = std::string(command);
    sink_ = sink;
}

bool response_parser::mid_response() const noexcept {
    return state_ != state::failed && (state_ != state::first_line || line_started_);
}

void response_parser::reset() {
    state_ = state::first_line;
    line_.clear();
    line_started_ = false;
    last_cr_ = false;
    current_ = {};
    listing_size_ = 0;
    diagnostics_.clear();
}

void response_parser::fail(std::error_code& ec, std::error_code error, std::string_view what,
                           std::string_view near) {
    ec = error;
    diagnostics_ = "response to " + command_ + ": " + std::string(what);
    if (!near.empty())
        diagnostics_ += " near " + util::quote_server_text(near);
    state_ = state::failed;
    line_.clear();
}

std::optional<response> response_parser::consume(std::string_view& input, std::error_code& ec) {
    ec.clear();
    if (state_ == state::failed) {
        ec = pop3_errc::parser_failed;
        return std::nullopt;
    }
    while (!input.empty()) {
        switch (state_) {
        case state::first_line:
            if (!take_line(input, ec))
                return std::nullopt;
            if (auto r = on_first_line(ec); r || ec)
                return r;
            break;
        case state::listing_line:
            if (!take_line(input, ec))
                return std::nullopt;
            if (auto r = on_listing_line(ec); r || ec)
                return r;
            break;
        case state::failed:
            return std::nullopt;
        default:
            if (auto r = stream_body(input, ec); r || ec)
                return r;
            break;
        }
    }
    return std::nullopt;
}

// Appends to line_ up to a LF; true when the line is complete (CRLF stripped).
bool response_parser::take_line(std::string_view& input, std::error_code& ec) {
    line_started_ = true;
    const auto lf = input.find('\n');
    const auto take = lf == std::string_view::npos ? input.size() : lf + 1;
    // The whole line, CRLF included, must fit; refuse before buffering more than that.
    if (line_.size() + take > limits_.max_line_size) {
        fail(ec, pop3_errc::line_too_long,
             "line longer than " + std::to_string(limits_.max_line_size) + " octets",
             line_.size() < 40 ? line_ + std::string(input.substr(0, 40 - line_.size())) : line_);
        return false;
    }
    line_.append(input.substr(0, take));
    input.remove_prefix(take);
    if (lf == std::string_view::npos)
        return false;
    if (line_.size() < 2 || line_[line_.size() - 2] != '\r') {
        fail(ec, pop3_errc::syntax_error, "line not ended by CRLF", line_);
        return false;
    }
    line_.resize(line_.size() - 2);
    return true;
}

std::optional<response> response_parser::on_first_line(std::error_code& ec) {
    const std::string_view line = line_;
    response r;
    std::string_view text;
    auto status_is = [&](std::string_view word) {
        return line.substr(0, word.size()) == word &&
               (line.size() == word.size() || line[word.size()] == ' ');
    };
    auto rest_after = [&](std::string_view word) {
        return line.size() > word.size() ? line.substr(word.size() + 1) : std::string_view{};
    };
    if (status_is("+OK")) {
        r.type = response::kind::ok;
        text = rest_after("+OK");
    } else if (status_is("-ERR")) {
        r.type = response::kind::err;
        text = rest_after("-ERR");
    } else if (kind_ == response_kind::sasl && status_is("+")) {
        r.type = response::kind::continuation;
        r.text = std::string(rest_after("+"));
        line_.clear();
        line_started_ = false;
        return r;
    } else {
        fail(ec, pop3_errc::syntax_error, "expected +OK or -ERR", line);
        return std::nullopt;
    }
    // RFC 2449 §8: "[" resp-code "]" at the start of the text; codes are atoms with "/".
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        const auto code = text.substr(1, close == std::string_view::npos ? 0 : close - 1);
        const bool valid = close != std::string_view::npos && !code.empty() &&
                           std::all_of(code.begin(), code.end(), [](char c) {
                               return c > 0x20 && c < 0x7f && c != '[' && c != ']';
                           });
        if (valid) {
            r.code = std::string(code);
            text.remove_prefix(close + 1);
            if (!text.empty() && text.front() == ' ')
                text.remove_prefix(1);
        }
    }
    r.text = std::string(text);
    line_.clear();
    line_started_ = false;

    if (r.type == response::kind::ok) {
        if (kind_ == response_kind::stat || kind_ == response_kind::list_one) {
            auto listing = parse_scan_listing(r.text);
            if (!listing) {
                fail(ec, pop3_errc::syntax_error, "expected \"number size\"", r.text);
                return std::nullopt;
            }
            r.listings.push_back(*listing);
        } else if (kind_ == response_kind::uidl_one) {
            auto entry = parse_uidl_entry(r.text);
            if (!entry) {
                fail(ec, pop3_errc::syntax_error, "expected \"number unique-id\"", r.text);
                return std::nullopt;
            }
            r.uidls.push_back(std::move(*entry));
        } else if (is_multi_line(kind_)) {
            current_ = std::move(r);
            if (kind_ == response_kind::message) {
                state_ = state::body_bol;
                last_cr_ = false;
                if (sink_ != nullptr)
                    sink_->begin();
            } else {
                state_ = state::listing_line;
            }
            return std::nullopt;
        }
    }
    return r;
}

std::optional<response> response_parser::on_listing_line(std::error_code& ec) {
    std::string_view line = line_;
    if (line == ".")
        return finish();
    if (!line.empty() && line.front() == '.')
        line.remove_prefix(1); // dot-stuffing (RFC 1939 §3)
    const auto entries =
        current_.capabilities.size() + current_.uidls.size() + current_.listings.size();
    if (entries >= limits_.max_listing_entries) {
        fail(ec, pop3_errc::too_many_entries,
             "more than " + std::to_string(limits_.max_listing_entries) + " lines", line);
        return std::nullopt;
    }
    listing_size_ += line.size() + 2;
    if (listing_size_ > limits_.max_listing_size) {
        fail(ec, pop3_errc::too_many_entries,
             "more than " + std::to_string(limits_.max_listing_size) + " bytes", line);
        return std::nullopt;
    }
    bool valid = false;
    if (kind_ == response_kind::capa) {
        if (auto cap = parse_capability(line)) {
            current_.capabilities.push_back(std::move(*cap));
            valid = true;
        }
    } else if (kind_ == response_kind::uidl_all) {
        if (auto entry = parse_uidl_entry(line)) {
            current_.uidls.push_back(std::move(*entry));
            valid = true;
        }
    } else if (auto listing = parse_scan_listing(line)) {
        current_.listings.push_back(*listing);
        valid = true;
    }
    if (!valid) {
        fail(ec, pop3_errc::syntax_error, "malformed listing line", line);
        return std::nullopt;
    }
    line_.clear();
    line_started_ = false;
    return std::nullopt;
}

// Message bodies: a line is unstuffed at its start only, so the scanner needs to know where
// lines start (after CRLF) and nothing else; chunks between go to the sink unbuffered.
std::optional<response> response_parser::stream_body(std::string_view& input, std::error_code& ec) {
    switch (state_) {
    case state::body_bol:
        if (input.front() == '.') {
            input.remove_prefix(1);
            state_ = state::body_dot;
        } else {
            state_ = state::body_mid;
        }
        return std::nullopt;
    case state::body_dot:
        if (input.front() == '\r') {
            input.remove_prefix(1);
            state_ = state::body_dot_cr;
        } else {
            state_ = state::body_mid; // the dot was stuffing: dropped
        }
        return std::nullopt;
    case state::body_dot_cr:
        if (input.front() == '\n') {
            input.remove_prefix(1);
            if (sink_ != nullptr)
                sink_->end();
            return finish();
        }
        // ".\r" then more: a stuffed line whose text starts with CR.
        if (!emit("\r", ec))
            return std::nullopt;
        last_cr_ = true;
        state_ = state::body_mid;
        return std::nullopt;
    default:
        break;
    }
    const auto lf = input.find('\n');
    const auto take = lf == std::string_view::npos ? input.size() : lf + 1;
    const bool line_end =
        lf != std::string_view::npos && (lf > 0 ? input[lf - 1] == '\r' : last_cr_);
    if (!emit(input.substr(0, take), ec))
        return std::nullopt;
    last_cr_ = input[take - 1] == '\r';
    input.remove_prefix(take);
    if (line_end)
        state_ = state::body_bol; // a bare LF does not end a line
    return std::nullopt;
}

bool response_parser::emit(std::string_view chunk, std::error_code& ec) {
    if (current_.message_octets + chunk.size() > limits_.max_message_size) {
        fail(ec, pop3_errc::message_too_large,
             "message larger than " + std::to_string(limits_.max_message_size) + " octets", {});
        return false;
    }
    current_.message_octets += chunk.size();
    if (sink_ != nullptr)
        sink_->data(chunk);
    return true;
}

response response_parser::finish() {
    response r = std::move(current_);
    current_ = {};
    listing_size_ = 0;
    line_.clear();
    line_started_ = false;
    state_ = state::first_line;
    return r;
}

} // namespace postfach::pop3
