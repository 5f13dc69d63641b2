#include "maildir/message_reader.hpp"

#include "maildir/file_ops.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace postfach::maildir {
namespace {

// pread() that retries EINTR; returns bytes read (0 at end) or -1.
ssize_t read_at(int fd, char* data, std::size_t size, std::uint64_t offset) {
    ssize_t n = 0;
    do {
        n = ::pread(fd, data, size, static_cast<off_t>(offset));
    } while (n < 0 && errno == EINTR);
    return n;
}

} // namespace

message_reader::message_reader(message_reader&& other) noexcept
    : fd_(std::exchange(other.fd_, -1))
    , disk_size_(other.disk_size_)
    , mtime_(other.mtime_)
    , offset_(other.offset_)
    , converter_(other.converter_)
    , buffer_(std::move(other.buffer_)) {}

message_reader& message_reader::operator=(message_reader&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        disk_size_ = other.disk_size_;
        mtime_ = other.mtime_;
        offset_ = other.offset_;
        converter_ = other.converter_;
        buffer_ = std::move(other.buffer_);
    }
    return *this;
}

message_reader::~message_reader() {
    if (fd_ >= 0)
        ::close(fd_);
}

std::error_code message_reader::open(const std::filesystem::path& file, message_reader& out) {
    out = message_reader();
    int fd = -1;
    do {
        fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return last_errno();
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        auto ec = last_errno();
        ::close(fd);
        return ec;
    }
    out.fd_ = fd;
    out.disk_size_ = static_cast<std::uint64_t>(st.st_size);
    out.mtime_ = static_cast<std::int64_t>(st.st_mtim.tv_sec);
    return {};
}

std::error_code message_reader::wire_size(std::uint64_t& size) const {
    // Counts what lf_to_crlf adds: one CR for each LF not already preceded by one.
    char block[64 * 1024];
    std::uint64_t total = 0;
    std::uint64_t offset = 0;
    bool last_was_cr = false;
    while (true) {
        const ssize_t n = read_at(fd_, block, sizeof block, offset);
        if (n < 0)
            return last_errno();
        if (n == 0)
            break;
        for (ssize_t i = 0; i < n; ++i) {
            if (block[i] == '\n' && !last_was_cr)
                ++total;
            last_was_cr = block[i] == '\r';
        }
        total += static_cast<std::uint64_t>(n);
        offset += static_cast<std::uint64_t>(n);
    }
    size = total;
    return {};
}

std::error_code message_reader::next(std::string& chunk, std::size_t max_disk_bytes) {
    chunk.clear();
    buffer_.resize(max_disk_bytes);
    const ssize_t n = read_at(fd_, buffer_.data(), buffer_.size(), offset_);
    if (n < 0)
        return last_errno();
    offset_ += static_cast<std::uint64_t>(n);
    converter_.feed(std::string_view(buffer_.data(), static_cast<std::size_t>(n)), chunk);
    return {};
}

void message_reader::rewind() noexcept {
    offset_ = 0;
    converter_ = lf_to_crlf();
}

} // namespace postfach::maildir
