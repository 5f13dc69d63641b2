#pragma once
// Reads a stored message for upload: its bytes with CRLF line endings (IMAP APPEND, design.md
// §3), pulled chunk by chunk so a coroutine can await the network between chunks and no second
// copy of the message is held.
//
// The file is opened once; everything reads from that descriptor, so a reader (mutt, notmuch)
// renaming or moving the file meanwhile changes nothing (protocol-notes.md §5). wire_size()
// gives the CRLF size before the first byte is sent, as an APPEND literal needs.

#include "maildir/line_endings.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>

namespace postfach::maildir {

class message_reader {
public:
    message_reader() = default;
    message_reader(message_reader&& other) noexcept;
    message_reader& operator=(message_reader&& other) noexcept;
    message_reader(const message_reader&) = delete;
    message_reader& operator=(const message_reader&) = delete;
    ~message_reader();

    static std::error_code open(const std::filesystem::path& file, message_reader& out);

    // The size on disk (LF line endings).
    [[nodiscard]] std::uint64_t disk_size() const noexcept { return disk_size_; }
    // The file's mtime in seconds since the epoch: Dovecot's and our INTERNALDATE (design §3).
    [[nodiscard]] std::int64_t mtime() const noexcept { return mtime_; }

    // The size with CRLF line endings: reads the whole file once (independent of next()).
    std::error_code wire_size(std::uint64_t& size) const;

    // Replaces `chunk` with the next bytes in CRLF form (from at most max_disk_bytes of the
    // file); an empty chunk means the end.
    std::error_code next(std::string& chunk, std::size_t max_disk_bytes = 64 * 1024);

    // Starts again from the first byte (e.g. to retry an upload).
    void rewind() noexcept;

private:
    int fd_ = -1;
    std::uint64_t disk_size_ = 0;
    std::int64_t mtime_ = 0;
    std::uint64_t offset_ = 0;
    lf_to_crlf converter_;
    std::string buffer_;
};

} // namespace postfach::maildir
