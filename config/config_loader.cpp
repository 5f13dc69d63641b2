#include "config/config_loader.hpp"

#include "config/duration.hpp"
#include "util/shell_split.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <fmt/format.h>
#include <fstream>
#include <set>
#include <sstream>
#include <yaml-cpp/yaml.h>

namespace postfach::config {

std::string config_error::to_string() const {
    std::string out = file;
    if (line > 0)
        out += fmt::format(":{}:{}", line, column);
    out += ": ";
    if (!key_path.empty())
        out += key_path + ": ";
    out += message;
    return out;
}

namespace {

// Edit distance, for "did you mean" hints on unknown keys.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] =
                std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

bool is_loopback_host(const std::string& host) {
    if (host == "localhost" || host == "localhost.")
        return true;
    std::string h = host;
    if (h.size() > 2 && h.front() == '[' && h.back() == ']')
        h = h.substr(1, h.size() - 2);
    in_addr v4{};
    if (::inet_pton(AF_INET, h.c_str(), &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    in6_addr v6{};
    if (::inet_pton(AF_INET6, h.c_str(), &v6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&v6);
    return false;
}

// One key/value pair of a mapping, with the key's position for messages.
struct entry {
    YAML::Node key;
    YAML::Node value;
};

// Validates a whole document into a configuration, collecting every error.
class loader {
public:
    loader(std::string file, const environment_lookup& env)
        : file_(std::move(file))
        , env_(env) {}

    std::vector<config_error> errors;

    void error_at(const YAML::Mark& mark, const std::string& path, std::string message) {
        config_error e;
        e.file = file_;
        if (!mark.is_null()) {
            e.line = mark.line + 1;
            e.column = mark.column + 1;
        }
        e.key_path = path;
        e.message = std::move(message);
        errors.push_back(std::move(e));
    }
    void error_at(const YAML::Node& node, const std::string& path, std::string message) {
        error_at(node.Mark(), path, std::move(message));
    }

    configuration load(const YAML::Node& root) {
        configuration cfg;
        if (!root.IsDefined() || root.IsNull()) {
            error_at(YAML::Mark::null_mark(), "",
                     "the file is empty; it needs at least an "
                     "'accounts' list (see postfach.yaml(5))");
            return cfg;
        }
        auto top = mapping(root, "", {"state_dir", "accounts"});
        if (!top)
            return cfg;
        if (auto e = find(*top, "state_dir"))
            if (auto p = path_value(*e, "state_dir"))
                cfg.state_dir = *p;
        if (cfg.state_dir.empty())
            cfg.state_dir = default_state_dir(env_);

        auto accounts = find(*top, "accounts");
        if (!accounts) {
            error_at(root, "accounts", "required key is missing: add a list of accounts");
            return cfg;
        }
        if (!accounts->value.IsSequence()) {
            error_at(value_mark(*accounts), "accounts", "expected a list of accounts");
            return cfg;
        }
        if (accounts->value.size() == 0)
            error_at(value_mark(*accounts), "accounts", "the list is empty; add an account");
        std::set<std::string> names;
        std::set<std::string> maildirs;
        for (std::size_t i = 0; i < accounts->value.size(); ++i) {
            const auto node = accounts->value[i];
            const auto path = fmt::format("accounts[{}]", i);
            auto account = load_account(node, path);
            if (!account.name.empty() && !names.insert(account.name).second)
                error_at(node, path + ".name",
                         fmt::format("the name '{}' is used by an earlier account; names must "
                                     "be unique",
                                     account.name));
            if (!account.maildir.empty() && !maildirs.insert(account.maildir.string()).second)
                error_at(node, path + ".maildir",
                         fmt::format("'{}' is the Maildir of an earlier account; give each "
                                     "account its own",
                                     account.maildir.string()));
            cfg.accounts.push_back(std::move(account));
        }
        return cfg;
    }

private:
    std::string file_;
    const environment_lookup& env_;

    YAML::Mark value_mark(const entry& e) const {
        return e.value.Mark().is_null() ? e.key.Mark() : e.value.Mark();
    }

    // Checks that `node` is a mapping whose keys are all in `allowed` and none repeats.
    std::optional<std::vector<entry>> mapping(const YAML::Node& node, const std::string& path,
                                              std::initializer_list<std::string_view> allowed,
                                              std::string_view hint_for_unknown = {}) {
        if (!node.IsMap()) {
            error_at(node, path.empty() ? std::string("(top level)") : path,
                     "expected a mapping of keys to values");
            return std::nullopt;
        }
        std::vector<entry> entries;
        std::set<std::string> seen;
        for (auto it = node.begin(); it != node.end(); ++it) {
            const YAML::Node key = it->first;
            if (!key.IsScalar()) {
                error_at(key, path, "keys must be plain names");
                continue;
            }
            const auto name = key.Scalar();
            const auto key_path = path.empty() ? name : path + "." + name;
            if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
                std::string message = "unknown key";
                std::string_view best;
                std::size_t best_distance = 3;
                for (auto candidate : allowed) {
                    const auto d = edit_distance(name, candidate);
                    if (d < best_distance) {
                        best_distance = d;
                        best = candidate;
                    }
                }
                if (!best.empty())
                    message += fmt::format("; did you mean '{}'?", best);
                else if (!hint_for_unknown.empty())
                    message += fmt::format("; {}", hint_for_unknown);
                else
                    message += fmt::format("; allowed here: {}", fmt::join(allowed, ", "));
                error_at(key, key_path, message);
                continue;
            }
            if (!seen.insert(name).second) {
                error_at(key, key_path, "key given twice; keep one");
                continue;
            }
            entries.push_back({key, it->second});
        }
        return entries;
    }

    static std::optional<entry> find(const std::vector<entry>& entries, std::string_view name) {
        for (const auto& e : entries)
            if (e.key.Scalar() == name)
                return e;
        return std::nullopt;
    }

    std::optional<std::string> string_value(const entry& e, const std::string& path,
                                            bool secret = false) {
        if (!e.value.IsScalar() || e.value.IsNull()) {
            error_at(value_mark(e), path,
                     e.value.IsNull() ? "has no value; expected a string" : "expected a string");
            return std::nullopt;
        }
        const auto& s = e.value.Scalar();
        if (s.empty()) {
            error_at(value_mark(e), path, secret ? "is empty" : "expected a non-empty string");
            return std::nullopt;
        }
        return s;
    }

    std::optional<std::string> required_string(const std::vector<entry>& entries,
                                               const YAML::Node& parent, const std::string& path,
                                               std::string_view key) {
        const auto key_path = path + "." + std::string(key);
        auto e = find(entries, key);
        if (!e) {
            error_at(parent, key_path, "required key is missing");
            return std::nullopt;
        }
        return string_value(*e, key_path);
    }

    std::optional<bool> bool_value(const entry& e, const std::string& path) {
        bool value = false;
        if (!e.value.IsScalar() || !YAML::convert<bool>::decode(e.value, value)) {
            error_at(value_mark(e), path, "expected true or false");
            return std::nullopt;
        }
        return value;
    }

    std::optional<long long> integer_value(const entry& e, const std::string& path, long long min,
                                           long long max) {
        const auto expected = fmt::format("expected a whole number from {} to {}", min, max);
        if (!e.value.IsScalar()) {
            error_at(value_mark(e), path, expected);
            return std::nullopt;
        }
        const auto& s = e.value.Scalar();
        long long v = 0;
        std::size_t used = 0;
        try {
            v = std::stoll(s, &used, 10);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != s.size() || s.empty() || v < min || v > max) {
            error_at(value_mark(e), path, fmt::format("{}, got '{}'", expected, s));
            return std::nullopt;
        }
        return v;
    }

    // A duration with a unit, at least one second (shorter settings only busy-loop).
    std::optional<std::chrono::milliseconds> duration_value(const entry& e,
                                                            const std::string& path) {
        auto s = string_value(e, path);
        if (!s)
            return std::nullopt;
        auto d = parse_duration(*s);
        if (!d.ok()) {
            error_at(value_mark(e), path, d.error);
            return std::nullopt;
        }
        if (d.value < std::chrono::seconds(1)) {
            error_at(value_mark(e), path, "must be at least 1s");
            return std::nullopt;
        }
        return d.value;
    }

    template <typename Enum>
    std::optional<Enum>
    enum_value(const entry& e, const std::string& path,
               std::initializer_list<std::pair<std::string_view, Enum>> choices) {
        std::vector<std::string_view> names;
        for (const auto& c : choices)
            names.push_back(c.first);
        std::string expected = "expected ";
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (i > 0)
                expected += i + 1 == names.size() ? " or " : ", ";
            expected += names[i];
        }
        if (e.value.IsScalar() && !e.value.IsNull()) {
            for (const auto& c : choices)
                if (e.value.Scalar() == c.first)
                    return c.second;
            error_at(value_mark(e), path, fmt::format("{}, got '{}'", expected, e.value.Scalar()));
        } else {
            error_at(value_mark(e), path, expected);
        }
        return std::nullopt;
    }

    std::optional<std::filesystem::path> path_value(const entry& e, const std::string& path) {
        auto s = string_value(e, path);
        if (!s)
            return std::nullopt;
        auto expanded = expand_path(*s, env_);
        if (!expanded.ok()) {
            error_at(value_mark(e), path, expanded.error);
            return std::nullopt;
        }
        if (expanded.path.is_relative()) {
            error_at(value_mark(e), path,
                     fmt::format("'{}' is a relative path; write an absolute path or start it "
                                 "with ~/",
                                 *s));
            return std::nullopt;
        }
        return expanded.path;
    }

    // A command as argv: a string split like a shell would (but never run by one), or a list.
    std::optional<std::vector<std::string>> command_value(const entry& e, const std::string& path) {
        if (e.value.IsSequence()) {
            std::vector<std::string> argv;
            for (const auto& item : e.value) {
                if (!item.IsScalar() || item.Scalar().empty()) {
                    error_at(item, path,
                             "each item of the command list must be a non-empty string");
                    return std::nullopt;
                }
                argv.push_back(item.Scalar());
            }
            if (argv.empty()) {
                error_at(value_mark(e), path, "the command list is empty");
                return std::nullopt;
            }
            return argv;
        }
        auto s = string_value(e, path);
        if (!s)
            return std::nullopt;
        auto split = util::shell_split(*s);
        if (!split.ok()) {
            error_at(value_mark(e), path, split.error);
            return std::nullopt;
        }
        return split.words;
    }

    std::optional<std::vector<std::string>> string_list(const entry& e, const std::string& path) {
        std::vector<std::string> out;
        if (e.value.IsScalar() && !e.value.IsNull()) {
            out.push_back(e.value.Scalar());
            return out;
        }
        if (!e.value.IsSequence()) {
            error_at(value_mark(e), path,
                     "expected a list of strings, e.g. [\"INBOX\", \"Archive/*\"]");
            return std::nullopt;
        }
        for (const auto& item : e.value) {
            if (!item.IsScalar() || item.IsNull() || item.Scalar().empty()) {
                error_at(item, path, "expected a non-empty string");
                return std::nullopt;
            }
            out.push_back(item.Scalar());
        }
        return out;
    }

    account_config load_account(const YAML::Node& node, const std::string& path) {
        account_config account;
        auto entries =
            mapping(node, path,
                    {"name", "maildir", "layout", "protocol", "imap", "pop3", "folders", "sync",
                     "idle", "poll_interval", "max_connections", "hooks", "mailboxes_file"});
        if (!entries)
            return account;

        if (auto name = required_string(*entries, node, path, "name")) {
            const bool valid = std::all_of(name->begin(), name->end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            });
            if (valid)
                account.name = *name;
            else
                error_at(find(*entries, "name")->value, path + ".name",
                         fmt::format("'{}' is not a valid name: use lower-case letters, digits, "
                                     "'_' and '-'",
                                     *name));
        }
        if (auto e = find(*entries, "maildir")) {
            if (auto p = path_value(*e, path + ".maildir"))
                account.maildir = *p;
        } else {
            error_at(node, path + ".maildir",
                     "required key is missing: where the mail is kept, "
                     "e.g. ~/Mail/" +
                         (account.name.empty() ? "work" : account.name));
        }
        if (auto e = find(*entries, "layout"))
            if (auto v = enum_value<layout_kind>(*e, path + ".layout",
                                                 {{"maildir++", layout_kind::maildir_plus_plus},
                                                  {"verbatim", layout_kind::verbatim}}))
                account.layout = *v;
        if (auto e = find(*entries, "protocol"))
            if (auto v = enum_value<protocol_kind>(*e, path + ".protocol",
                                                   {{"auto", protocol_kind::auto_detect},
                                                    {"imap", protocol_kind::imap},
                                                    {"pop3", protocol_kind::pop3}}))
                account.protocol = *v;

        auto imap = find(*entries, "imap");
        auto pop3 = find(*entries, "pop3");
        if (imap)
            account.imap = load_server(*imap, path + ".imap", server_kind::imap);
        if (pop3)
            account.pop3 = load_server(*pop3, path + ".pop3", server_kind::pop3);
        switch (account.protocol) {
        case protocol_kind::imap:
            if (!imap)
                error_at(node, path + ".imap",
                         "required key is missing: protocol imap needs an "
                         "imap block");
            break;
        case protocol_kind::pop3:
            if (!pop3)
                error_at(node, path + ".pop3",
                         "required key is missing: protocol pop3 needs a "
                         "pop3 block");
            break;
        case protocol_kind::auto_detect:
            if (!imap && !pop3)
                error_at(node, path + ".imap",
                         "required key is missing: give an imap block (and "
                         "a pop3 block if POP3 is on another host)");
            else if (!imap)
                error_at(node, path + ".imap",
                         "protocol auto needs an imap block to try first; with only a pop3 "
                         "block, set protocol: pop3");
            break;
        }

        if (auto e = find(*entries, "folders"))
            load_folders(*e, path + ".folders", account.folders);
        if (auto e = find(*entries, "sync"))
            load_sync(*e, path + ".sync", account.sync);
        if (auto e = find(*entries, "idle"))
            if (auto v = bool_value(*e, path + ".idle"))
                account.idle = *v;
        if (auto e = find(*entries, "poll_interval"))
            if (auto d = duration_value(*e, path + ".poll_interval"))
                account.poll_interval = std::chrono::duration_cast<std::chrono::seconds>(*d);
        if (auto e = find(*entries, "max_connections"))
            if (auto v = integer_value(*e, path + ".max_connections", 1, 100))
                account.max_connections = static_cast<unsigned>(*v);
        if (auto e = find(*entries, "hooks")) {
            const auto key_path = path + ".hooks";
            if (auto hooks = mapping(e->value, key_path, {"on_new_mail"}))
                if (auto h = find(*hooks, "on_new_mail"))
                    if (auto argv = command_value(*h, key_path + ".on_new_mail"))
                        account.hooks.on_new_mail = *argv;
        }
        if (auto e = find(*entries, "mailboxes_file"))
            if (auto p = path_value(*e, path + ".mailboxes_file"))
                account.mailboxes_file = *p;
        return account;
    }

    std::optional<server_config> load_server(const entry& block, const std::string& path,
                                             server_kind kind) {
        const bool is_pop3 = kind == server_kind::pop3;
        std::optional<std::vector<entry>> entries;
        if (is_pop3)
            entries =
                mapping(block.value, path,
                        {"host", "port", "tls", "ca_file", "user", "password", "password_file",
                         "password_command", "oauth2_token_command", "auth", "allow_plaintext",
                         "timeout", "tls_verify", "leave_on_server", "delete_after_days"});
        else
            entries = mapping(block.value, path,
                              {"host", "port", "tls", "ca_file", "user", "password",
                               "password_file", "password_command", "oauth2_token_command", "auth",
                               "allow_plaintext", "timeout", "tls_verify"},
                              "leave_on_server and delete_after_days belong in a pop3 block");
        if (!entries)
            return std::nullopt;
        const std::size_t errors_before = errors.size();
        server_config server;
        if (auto host = required_string(*entries, block.value, path, "host"))
            server.host = *host;
        if (auto e = find(*entries, "tls"))
            if (auto v = enum_value<tls_mode>(*e, path + ".tls",
                                              {{"implicit", tls_mode::implicit},
                                               {"starttls", tls_mode::starttls},
                                               {"none", tls_mode::none}}))
                server.tls = *v;
        server.port = default_port(kind, server.tls);
        if (auto e = find(*entries, "port"))
            if (auto v = integer_value(*e, path + ".port", 1, 65535))
                server.port = static_cast<std::uint16_t>(*v);
        if (auto e = find(*entries, "ca_file"))
            if (auto p = path_value(*e, path + ".ca_file"))
                server.ca_file = *p;
        if (auto user = required_string(*entries, block.value, path, "user"))
            server.user = *user;
        if (auto e = find(*entries, "allow_plaintext"))
            if (auto v = bool_value(*e, path + ".allow_plaintext"))
                server.allow_plaintext = *v;
        if (auto e = find(*entries, "timeout"))
            if (auto d = duration_value(*e, path + ".timeout"))
                server.timeout = *d;
        if (auto e = find(*entries, "tls_verify"))
            if (auto v = bool_value(*e, path + ".tls_verify"))
                server.tls_verify = *v;

        load_secret(*entries, block.value, path, server.secret);

        if (auto e = find(*entries, "auth")) {
            if (auto names = string_list(*e, path + ".auth")) {
                for (const auto& name : *names) {
                    static const std::pair<std::string_view, auth_mechanism> known[] = {
                        {"plain", auth_mechanism::plain},
                        {"login", auth_mechanism::login},
                        {"xoauth2", auth_mechanism::xoauth2},
                        {"oauthbearer", auth_mechanism::oauthbearer}};
                    auto it = std::find_if(std::begin(known), std::end(known),
                                           [&](const auto& k) { return k.first == name; });
                    if (it == std::end(known)) {
                        error_at(value_mark(*e), path + ".auth",
                                 fmt::format("unknown mechanism '{}'; expected plain, login, "
                                             "xoauth2 or oauthbearer",
                                             name));
                        continue;
                    }
                    const bool oauth = it->second == auth_mechanism::xoauth2 ||
                                       it->second == auth_mechanism::oauthbearer;
                    const bool token =
                        server.secret.source == secret_source::kind::oauth2_token_command;
                    if (oauth != token)
                        error_at(value_mark(*e), path + ".auth",
                                 oauth ? fmt::format("'{}' needs oauth2_token_command", name)
                                       : fmt::format("'{}' needs a password; with "
                                                     "oauth2_token_command use xoauth2 or "
                                                     "oauthbearer",
                                                     name));
                    server.auth.push_back(it->second);
                }
            }
        }

        if (server.tls == tls_mode::none && !server.host.empty() &&
            !is_loopback_host(server.host) && !server.allow_plaintext) {
            auto e = find(*entries, "tls");
            error_at(value_mark(*e), path + ".tls",
                     fmt::format("'none' would send the password to {} in clear; use implicit or "
                                 "starttls, or set allow_plaintext: true on this block if the "
                                 "network is trusted",
                                 server.host));
        }

        if (is_pop3) {
            if (auto e = find(*entries, "leave_on_server"))
                if (auto v = bool_value(*e, path + ".leave_on_server"))
                    server.leave_on_server = *v;
            if (auto e = find(*entries, "delete_after_days")) {
                if (auto v = integer_value(*e, path + ".delete_after_days", 0, 36500)) {
                    server.delete_after_days = static_cast<unsigned>(*v);
                    if (*v > 0 && !server.leave_on_server)
                        error_at(value_mark(*e), path + ".delete_after_days",
                                 "only applies with leave_on_server: true (without it, mail is "
                                 "deleted from the server once it is safely on disk)");
                }
            }
        }
        if (errors.size() != errors_before)
            return std::nullopt;
        return server;
    }

    void load_secret(const std::vector<entry>& entries, const YAML::Node& block,
                     const std::string& path, secret_source& secret) {
        static constexpr std::string_view keys[] = {"password", "password_file", "password_command",
                                                    "oauth2_token_command"};
        std::vector<entry> given;
        for (auto key : keys)
            if (auto e = find(entries, key))
                given.push_back(*e);
        if (given.empty()) {
            error_at(block, path + ".password",
                     "no secret given: set exactly one of password, password_file, "
                     "password_command or oauth2_token_command");
            return;
        }
        if (given.size() > 1) {
            error_at(given[1].key, path + "." + given[1].key.Scalar(),
                     fmt::format("two secrets given ({} and {}); keep exactly one",
                                 given[0].key.Scalar(), given[1].key.Scalar()));
            return;
        }
        const auto& e = given.front();
        const auto name = e.key.Scalar();
        const auto key_path = path + "." + name;
        if (name == "password") {
            secret.source = secret_source::kind::password;
            if (auto s = string_value(e, key_path, /*secret=*/true))
                secret.password = secret_string(*s);
        } else if (name == "password_file") {
            secret.source = secret_source::kind::password_file;
            if (auto p = path_value(e, key_path))
                secret.file = *p;
        } else {
            secret.source = name == "password_command" ? secret_source::kind::password_command
                                                       : secret_source::kind::oauth2_token_command;
            if (auto argv = command_value(e, key_path))
                secret.command = *argv;
        }
    }

    void load_folders(const entry& e, const std::string& path, folder_filter& folders) {
        auto entries = mapping(e.value, path, {"include", "exclude"});
        if (!entries)
            return;
        if (auto i = find(*entries, "include"))
            if (auto v = string_list(*i, path + ".include"))
                folders.include = *v;
        if (auto x = find(*entries, "exclude"))
            if (auto v = string_list(*x, path + ".exclude"))
                folders.exclude = *v;
    }

    void load_sync(const entry& e, const std::string& path, sync_config& sync) {
        auto entries = mapping(e.value, path, {"direction", "expunge", "max_delete_fraction"});
        if (!entries)
            return;
        if (auto d = find(*entries, "direction"))
            if (auto v = enum_value<sync_direction>(*d, path + ".direction",
                                                    {{"both", sync_direction::both},
                                                     {"pull", sync_direction::pull},
                                                     {"push", sync_direction::push}}))
                sync.direction = *v;
        if (auto x = find(*entries, "expunge"))
            if (auto v = enum_value<expunge_mode>(*x, path + ".expunge",
                                                  {{"both", expunge_mode::both},
                                                   {"local", expunge_mode::local},
                                                   {"remote", expunge_mode::remote},
                                                   {"none", expunge_mode::none}}))
                sync.expunge = *v;
        if (auto f = find(*entries, "max_delete_fraction")) {
            const auto key_path = path + ".max_delete_fraction";
            double value = 0;
            if (!f->value.IsScalar() || !YAML::convert<double>::decode(f->value, value) ||
                !(value > 0.0 && value <= 1.0))
                error_at(value_mark(*f), key_path,
                         "expected a fraction greater than 0 and at most 1, e.g. 0.5");
            else
                sync.max_delete_fraction = value;
        }
    }
};

} // namespace

load_result load_config_text(std::string_view text, const std::filesystem::path& file,
                             const environment_lookup& env) {
    load_result result;
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& ex) {
        config_error e;
        e.file = file.string();
        if (!ex.mark.is_null()) {
            e.line = ex.mark.line + 1;
            e.column = ex.mark.column + 1;
        }
        e.message = "YAML syntax error: " + ex.msg;
        result.errors.push_back(std::move(e));
        return result;
    }
    loader l(file.string(), env);
    auto cfg = l.load(root);
    cfg.source = file;
    if (l.errors.empty())
        result.config = std::move(cfg);
    result.errors = std::move(l.errors);
    std::stable_sort(result.errors.begin(), result.errors.end(), [](const auto& a, const auto& b) {
        return std::pair(a.line, a.column) < std::pair(b.line, b.column);
    });
    return result;
}

load_result load_config_file(const std::filesystem::path& file, const environment_lookup& env) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        load_result result;
        config_error e;
        e.file = file.string();
        e.message =
            std::error_code(errno, std::generic_category()).message() +
            "; create it (see `postfach --help` and postfach.yaml(5)) or pass --config FILE";
        result.errors.push_back(std::move(e));
        return result;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return load_config_text(text.str(), file, env);
}

} // namespace postfach::config
