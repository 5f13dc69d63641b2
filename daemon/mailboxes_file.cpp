#include "daemon/mailboxes_file.hpp"

#include "maildir/file_ops.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace postfach {
namespace {

namespace fs = std::filesystem;

std::string mutt_quote(const std::string& path) {
    if (path.find('\'') == std::string::npos)
        return "'" + path + "'";
    std::string out = "\"";
    for (const char c : path) {
        if (c == '\\' || c == '"' || c == '`' || c == '$')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

std::error_code errno_code() {
    return {errno, std::generic_category()};
}

std::error_code write_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const auto n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno_code();
        done += static_cast<std::size_t>(n);
    }
    return {};
}

// tmp file + fsync + rename + directory fsync: the file is either the old or the new line.
std::error_code replace_atomically(const fs::path& file, const std::string& content) {
    const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
    const fs::path tmp = dir / ("." + file.filename().string() + ".postfach-tmp");
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return errno_code();
    auto ec = write_all(fd, content);
    if (!ec && ::fsync(fd) != 0)
        ec = errno_code();
    if (::close(fd) != 0 && !ec)
        ec = errno_code();
    if (!ec && ::rename(tmp.c_str(), file.c_str()) != 0)
        ec = errno_code();
    if (ec) {
        ::unlink(tmp.c_str());
        return ec;
    }
    return maildir::fsync_directory(dir);
}

} // namespace

std::string mailboxes_line(const maildir::folder_layout& layout,
                           const std::vector<std::string>& folders) {
    std::vector<std::string> sorted = folders;
    std::sort(sorted.begin(), sorted.end(), [](const std::string& a, const std::string& b) {
        if ((a == "INBOX") != (b == "INBOX"))
            return a == "INBOX";
        return a < b;
    });
    std::string line = "mailboxes";
    for (const auto& name : sorted) {
        std::error_code ec;
        const auto dir = layout.folder_dir(name, ec);
        if (ec)
            continue; // not a name the layout can hold; list_folders never gives one
        line += ' ';
        line += mutt_quote(dir.lexically_normal().string());
    }
    return line + "\n";
}

std::error_code update_mailboxes_file(const fs::path& file, const maildir::folder_layout& layout,
                                      bool& changed) {
    changed = false;
    std::error_code ec;
    const auto folders = layout.list_folders(ec);
    if (ec)
        return ec;
    const auto content = mailboxes_line(layout, folders);
    {
        std::ifstream in(file, std::ios::binary);
        if (in) {
            std::ostringstream existing;
            existing << in.rdbuf();
            if (existing.str() == content)
                return {};
        }
    }
    if (file.has_parent_path())
        if (auto mk = maildir::make_private_directories(file.parent_path()))
            return mk;
    if (auto w = replace_atomically(file, content))
        return w;
    changed = true;
    return {};
}

} // namespace postfach
