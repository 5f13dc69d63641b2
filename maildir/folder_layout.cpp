#include "maildir/folder_layout.hpp"

#include "maildir/file_ops.hpp"
#include "maildir/maildir_errc.hpp"

#include <algorithm>
#include <spdlog/spdlog.h>

namespace fs = std::filesystem;

namespace postfach::maildir {
namespace {

constexpr std::string_view inbox = "INBOX";
constexpr char hex_digits[] = "0123456789abcdef";

void append_escaped(std::string& out, char c) {
    const auto byte = static_cast<unsigned char>(c);
    out.push_back('\\');
    out.push_back(hex_digits[byte >> 4]);
    out.push_back(hex_digits[byte & 0x0f]);
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool is_maildir_subdir(std::string_view name) {
    return name == "tmp" || name == "new" || name == "cur";
}

std::vector<std::string_view> split_components(std::string_view name) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const auto slash = name.find('/', start);
        parts.push_back(name.substr(start, slash - start));
        if (slash == std::string_view::npos)
            break;
        start = slash + 1;
    }
    return parts;
}

bool is_maildir(const fs::path& dir) {
    std::error_code ec;
    return fs::is_directory(dir / "cur", ec);
}

// Decodes ".A.B" (maildir++ directory name) into "A/B"; empty if it is not a folder name.
std::string decode_plus_plus(std::string_view dir_name) {
    if (dir_name.size() < 2 || dir_name.front() != '.')
        return {};
    std::string name;
    std::size_t start = 1;
    while (true) {
        const auto dot = dir_name.find('.', start);
        const auto component = dir_name.substr(start, dot - start);
        if (component.empty())
            return {};
        if (!name.empty())
            name.push_back('/');
        name += decode_folder_component(component);
        if (dot == std::string_view::npos)
            break;
        start = dot + 1;
    }
    return name;
}

void list_verbatim(const fs::path& dir, const std::string& prefix, std::vector<std::string>& out,
                   std::error_code& ec) {
    fs::directory_iterator it(dir, ec);
    if (ec)
        return;
    for (const auto& entry : it) {
        const std::string file = entry.path().filename().string();
        if (file.starts_with('.') || is_maildir_subdir(file))
            continue;
        std::error_code type_ec;
        if (!entry.is_directory(type_ec) || entry.is_symlink(type_ec))
            continue;
        const std::string name = prefix + decode_folder_component(file);
        if (is_maildir(entry.path()))
            out.push_back(name);
        std::error_code sub_ec; // a sub-directory vanishing under us is not fatal
        list_verbatim(entry.path(), name + "/", out, sub_ec);
    }
}

std::error_code remove_tree(const fs::path& p) {
    std::error_code ec;
    fs::remove_all(p, ec);
    return ec;
}

} // namespace

bool is_valid_folder_name(std::string_view name) noexcept {
    if (name.empty() || name.find('\0') != std::string_view::npos)
        return false;
    if (name.front() == '/' || name.back() == '/')
        return false;
    return name.find("//") == std::string_view::npos;
}

std::string encode_folder_component(std::string_view component, layout_kind kind) {
    std::string out;
    out.reserve(component.size());
    const bool reserved = kind == layout_kind::verbatim && is_maildir_subdir(component);
    for (std::size_t i = 0; i < component.size(); ++i) {
        const char c = component[i];
        const bool escape = c == '\\' || (kind == layout_kind::maildir_plus_plus && c == '.') ||
                            (kind == layout_kind::verbatim && i == 0 && (c == '.' || reserved));
        if (escape)
            append_escaped(out, c);
        else
            out.push_back(c);
    }
    return out;
}

std::string decode_folder_component(std::string_view encoded) {
    std::string out;
    out.reserve(encoded.size());
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (encoded[i] == '\\' && i + 2 < encoded.size()) {
            const int hi = hex_value(encoded[i + 1]);
            const int lo = hex_value(encoded[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(encoded[i]);
    }
    return out;
}

folder_layout::folder_layout(fs::path root, layout_kind kind)
    : root_(std::move(root))
    , kind_(kind) {}

fs::path folder_layout::folder_dir(std::string_view name, std::error_code& ec) const {
    ec.clear();
    if (!is_valid_folder_name(name)) {
        ec = maildir_errc::invalid_folder_name;
        return {};
    }
    const auto parts = split_components(name);
    if (kind_ == layout_kind::maildir_plus_plus) {
        if (name == inbox)
            return root_;
        std::string dir;
        for (auto part : parts)
            dir += "." + encode_folder_component(part, kind_);
        return root_ / dir;
    }
    fs::path dir = root_;
    for (auto part : parts)
        dir /= encode_folder_component(part, kind_);
    return dir;
}

std::vector<std::string> folder_layout::list_folders(std::error_code& ec) const {
    ec.clear();
    std::vector<std::string> names;
    if (!fs::exists(root_, ec))
        return names; // a Maildir not created yet has no folders
    if (kind_ == layout_kind::verbatim) {
        list_verbatim(root_, "", names, ec);
    } else {
        if (is_maildir(root_))
            names.emplace_back(inbox);
        fs::directory_iterator it(root_, ec);
        if (ec)
            return {};
        for (const auto& entry : it) {
            const std::string file = entry.path().filename().string();
            if (!file.starts_with('.') || file == "." || file == "..")
                continue;
            std::error_code type_ec;
            if (!entry.is_directory(type_ec) || !is_maildir(entry.path()))
                continue;
            std::string name = decode_plus_plus(file);
            if (name.empty() || name == inbox) {
                spdlog::warn("maildir {}: ignoring directory \"{}\": not a maildir++ folder name",
                             root_.string(), file);
                continue;
            }
            names.push_back(std::move(name));
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

bool folder_layout::folder_exists(std::string_view name) const {
    std::error_code ec;
    const fs::path dir = folder_dir(name, ec);
    return !ec && is_maildir(dir);
}

std::error_code folder_layout::create_folder(std::string_view name) const {
    std::error_code ec;
    const fs::path dir = folder_dir(name, ec);
    if (ec)
        return ec;
    if (is_maildir(dir))
        return maildir_errc::folder_exists;
    // Parents first (verbatim "A/B" needs "A"; the root itself may be missing).
    if (auto mk = make_private_directories(dir))
        return mk;
    for (const char* sub : {"tmp", "new", "cur"})
        if (auto mk = make_private_directory(dir / sub))
            return mk;
    if (kind_ == layout_kind::maildir_plus_plus && name != inbox) {
        if (auto mk = make_private_file(dir / "maildirfolder"))
            return mk;
    }
    if (auto sync = fsync_directory(dir))
        return sync;
    return fsync_directory(dir.parent_path());
}

std::error_code folder_layout::delete_folder(std::string_view name) const {
    if (name == inbox)
        return maildir_errc::inbox_not_allowed;
    std::error_code ec;
    const fs::path dir = folder_dir(name, ec);
    if (ec)
        return ec;
    if (!is_maildir(dir))
        return maildir_errc::folder_not_found;
    if (kind_ == layout_kind::maildir_plus_plus) {
        if (auto rm = remove_tree(dir))
            return rm;
    } else {
        // Keep sub-folders: remove everything that is not a sub-folder directory.
        fs::directory_iterator it(dir, ec);
        if (ec)
            return ec;
        for (const auto& entry : it) {
            const std::string file = entry.path().filename().string();
            std::error_code type_ec;
            const bool subfolder = entry.is_directory(type_ec) && !entry.is_symlink(type_ec) &&
                                   !is_maildir_subdir(file) && !file.starts_with('.');
            if (!subfolder)
                if (auto rm = remove_tree(entry.path()))
                    return rm;
        }
        fs::remove(dir, ec); // fails (ENOTEMPTY) while sub-folders remain: that is intended
    }
    return fsync_directory(dir.parent_path());
}

std::error_code folder_layout::rename_folder(std::string_view from, std::string_view to) const {
    if (from == inbox || to == inbox)
        return maildir_errc::inbox_not_allowed;
    std::error_code ec;
    const fs::path from_dir = folder_dir(from, ec);
    if (ec)
        return ec;
    const fs::path to_dir = folder_dir(to, ec);
    if (ec)
        return ec;
    const std::string from_prefix = std::string(from) + "/";
    if (std::string_view(to).starts_with(from_prefix) || from == to)
        return maildir_errc::invalid_folder_name;
    if (!is_maildir(from_dir))
        return maildir_errc::folder_not_found;
    if (fs::exists(to_dir, ec))
        return maildir_errc::folder_exists;

    if (kind_ == layout_kind::verbatim) {
        if (auto mk = make_private_directories(to_dir.parent_path()))
            return mk;
        fs::rename(from_dir, to_dir, ec);
        if (ec)
            return ec;
        if (auto sync = fsync_directory(to_dir.parent_path()))
            return sync;
        return fsync_directory(from_dir.parent_path());
    }

    // maildir++: each sub-folder is its own directory at the root; rename them all, after
    // checking every target is free (so a clash does not leave the tree half renamed).
    auto names = list_folders(ec);
    if (ec)
        return ec;
    std::vector<std::pair<fs::path, fs::path>> moves;
    for (const auto& name : names) {
        if (name != from && !name.starts_with(from_prefix))
            continue;
        const std::string new_name = std::string(to) + name.substr(from.size());
        fs::path old_dir = folder_dir(name, ec);
        fs::path new_dir = folder_dir(new_name, ec);
        if (ec)
            return ec;
        if (fs::exists(new_dir))
            return maildir_errc::folder_exists;
        moves.emplace_back(std::move(old_dir), std::move(new_dir));
    }
    for (const auto& [old_dir, new_dir] : moves) {
        fs::rename(old_dir, new_dir, ec);
        if (ec)
            return ec;
    }
    return fsync_directory(root_);
}

} // namespace postfach::maildir
