#include "tests/support/mailbox_comparison.hpp"

#include "imap/mailbox_name.hpp"
#include "maildir/file_name.hpp"
#include "maildir/maildir_folder.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>

namespace postfach::test {

namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path.string());
    return {std::istreambuf_iterator<char>(in), {}};
}

std::uint64_t content_hash(std::string_view text) {
    std::uint64_t h = 1469598103934665603ULL;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
            continue; // CRLF counts as LF
        h = (h ^ static_cast<unsigned char>(text[i])) * 1099511628211ULL;
    }
    return h;
}

// The value of a header field in the message's header, unfolded no further than its first line.
std::string header_value(std::string_view text, std::string_view field) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find('\n', pos);
        if (end == std::string_view::npos)
            end = text.size();
        auto line = text.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.empty())
            break; // end of the header
        if (line.size() > field.size() && line[field.size()] == ':' &&
            std::equal(field.begin(), field.end(), line.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
            })) {
            auto value = line.substr(field.size() + 1);
            while (!value.empty() && value.front() == ' ')
                value.remove_prefix(1);
            return std::string(value);
        }
        pos = end + 1;
    }
    return {};
}

// Messages of one Maildir folder directory. `keyword_flags` maps info letters that are not
// standard flags (Dovecot keywords) to a standard flag ($Forwarded on the server).
std::vector<compared_message> read_folder(const fs::path& dir,
                                          const std::map<char, maildir::flag>& keyword_flags) {
    maildir::scan_result scan;
    if (auto ec = maildir::maildir_folder(dir).scan(scan))
        throw std::runtime_error(fmt::format("cannot scan {}: {}", dir.string(), ec.message()));
    std::vector<compared_message> out;
    for (const auto& entry : scan.messages) {
        const auto text = read_file(entry.path(dir));
        compared_message m;
        m.content_hash = content_hash(text);
        m.flags = entry.flags;
        for (char letter : maildir::file_name::parse(entry.file_name).other_letters)
            if (auto it = keyword_flags.find(letter); it != keyword_flags.end())
                m.flags.set(it->second);
        m.label = fmt::format("'{}' {} ({}/{})", header_value(text, "Subject"),
                              header_value(text, "Message-ID"),
                              maildir::location_dir_name(entry.where), entry.file_name);
        out.push_back(std::move(m));
    }
    return out;
}

// Dovecot's dovecot-keywords: lines "N name", letter 'a' + N.
std::map<char, maildir::flag> dovecot_keyword_flags(const fs::path& dir) {
    std::map<char, maildir::flag> out;
    std::ifstream in(dir / "dovecot-keywords");
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        unsigned index = 0;
        std::string name;
        if (fields >> index >> name && index < 26)
            if (auto f = maildir::flag_from_imap_name(name))
                out[static_cast<char>('a' + index)] = *f;
    }
    return out;
}

bool excluded(const snapshot_options& options, const std::string& folder) {
    return std::find(options.excluded_folders.begin(), options.excluded_folders.end(), folder) !=
           options.excluded_folders.end();
}

std::string flag_letters(maildir::flag_set flags) {
    const auto letters = flags.letters();
    return letters.empty() ? "none" : letters;
}

} // namespace

std::size_t mailbox_snapshot::message_count() const {
    std::size_t n = 0;
    for (const auto& [name, messages] : folders)
        n += messages.size();
    return n;
}

mailbox_snapshot server_snapshot(dovecot_server& server, const std::string& user,
                                 const snapshot_options& options) {
    mailbox_snapshot out;
    for (const auto& folder : server.folders(user)) {
        if (excluded(options, folder))
            continue;
        fs::path dir = server.maildir(user);
        if (folder != "INBOX") {
            std::string wire;
            if (auto ec = imap::encode_mailbox_name(folder, wire))
                throw std::runtime_error("cannot encode the folder name " + folder);
            std::replace(wire.begin(), wire.end(), '/', '.');
            dir /= "." + wire;
        }
        if (!fs::exists(dir / "cur"))
            continue; // listed but not selectable (a parent without a Maildir of its own)
        out.folders[folder] = read_folder(dir, dovecot_keyword_flags(dir));
    }
    return out;
}

mailbox_snapshot local_snapshot(const fs::path& root, maildir::layout_kind layout,
                                const snapshot_options& options) {
    mailbox_snapshot out;
    const maildir::folder_layout folders(root, layout);
    std::error_code ec;
    const auto names = folders.list_folders(ec);
    if (ec)
        throw std::runtime_error(fmt::format("cannot list {}: {}", root.string(), ec.message()));
    for (const auto& folder : names) {
        if (excluded(options, folder))
            continue;
        const auto dir = folders.folder_dir(folder, ec);
        if (ec)
            throw std::runtime_error("bad local folder " + folder);
        out.folders[folder] = read_folder(dir, {});
    }
    return out;
}

std::string mailbox_difference::describe(std::size_t limit) const {
    if (equal())
        return "equal";
    std::string out = fmt::format(
        "{} only on the server, {} only local, {} duplicated, {} with different flags, {} "
        "folders on one side only:\n",
        only_on_server, only_local, duplicated, flags_differ, folders_differ);
    for (std::size_t i = 0; i < lines.size() && i < limit; ++i)
        out += "  " + lines[i] + "\n";
    if (lines.size() > limit)
        out += fmt::format("  ... and {} more\n", lines.size() - limit);
    return out;
}

mailbox_difference compare(const mailbox_snapshot& server, const mailbox_snapshot& local) {
    mailbox_difference d;
    std::set<std::string> names;
    for (const auto& [name, m] : server.folders)
        names.insert(name);
    for (const auto& [name, m] : local.folders)
        names.insert(name);
    static const std::vector<compared_message> none;
    for (const auto& name : names) {
        const auto s_it = server.folders.find(name);
        const auto l_it = local.folders.find(name);
        if (s_it == server.folders.end() || l_it == local.folders.end()) {
            ++d.folders_differ;
            d.lines.push_back(
                fmt::format("folder {}: only {}", name,
                            s_it == server.folders.end() ? "local" : "on the server"));
        }
        const auto& s = s_it == server.folders.end() ? none : s_it->second;
        const auto& l = l_it == local.folders.end() ? none : l_it->second;
        // Group both sides by content.
        std::map<std::uint64_t, std::array<std::vector<const compared_message*>, 2>> by_content;
        for (const auto& m : s)
            by_content[m.content_hash][0].push_back(&m);
        for (const auto& m : l)
            by_content[m.content_hash][1].push_back(&m);
        for (auto& [hash, sides] : by_content) {
            auto& [on_server, on_local] = sides;
            const auto label = (on_server.empty() ? on_local : on_server).front()->label;
            if (on_server.empty() || on_local.empty()) {
                const bool server_only = on_local.empty();
                (server_only ? d.only_on_server : d.only_local) +=
                    sides[server_only ? 0 : 1].size();
                d.lines.push_back(fmt::format("{}: {} only {} ({} copies)", name, label,
                                              server_only ? "on the server" : "local",
                                              sides[server_only ? 0 : 1].size()));
                continue;
            }
            if (on_server.size() != on_local.size()) {
                d.duplicated += on_server.size() > on_local.size()
                                    ? on_server.size() - on_local.size()
                                    : on_local.size() - on_server.size();
                d.lines.push_back(fmt::format("{}: {} duplicated: {} on the server, {} local", name,
                                              label, on_server.size(), on_local.size()));
                continue;
            }
            auto flags_of = [](const std::vector<const compared_message*>& v) {
                std::vector<std::string> f;
                for (const auto* m : v)
                    f.push_back(flag_letters(m->flags));
                std::sort(f.begin(), f.end());
                return f;
            };
            const auto server_flags = flags_of(on_server);
            const auto local_flags = flags_of(on_local);
            if (server_flags != local_flags) {
                ++d.flags_differ;
                d.lines.push_back(fmt::format("{}: {} flags differ: server {}, local {} ({})", name,
                                              label, fmt::join(server_flags, "|"),
                                              fmt::join(local_flags, "|"),
                                              on_local.front()->label));
            }
        }
    }
    return d;
}

mailbox_difference compare_account(dovecot_server& server, const std::string& user,
                                   const fs::path& maildir_root, maildir::layout_kind layout,
                                   const snapshot_options& options) {
    return compare(server_snapshot(server, user, options),
                   local_snapshot(maildir_root, layout, options));
}

} // namespace postfach::test
