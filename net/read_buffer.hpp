#pragma once
// Bytes received but not yet handed to the protocol code, and the ways they are handed out:
// a line, exactly n bytes, or everything. Sans-IO; shared by transport and fake_stream so both
// split lines the same way.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace postfach::net {

class read_buffer {
public:
    void append(std::string_view bytes) { data_.append(bytes); }

    // The first complete line without its ending (CRLF, or a bare LF), or nullopt if no line
    // end is buffered yet. Repeated calls do not rescan bytes already searched.
    std::optional<std::string> take_line();
    // The first n bytes, or nullopt if fewer are buffered.
    std::optional<std::string> take_exactly(std::size_t n);
    // Everything, into `out` (its old contents are dropped). The storage is swapped, not
    // copied: a caller that passes the same string every time lends its capacity back to the
    // buffer, so a read loop allocates nothing per read (one read per TLS record).
    void take_all(std::string& out) noexcept;

    [[nodiscard]] std::size_t size() const noexcept { return data_.size(); }
    [[nodiscard]] bool empty() const noexcept { return data_.empty(); }
    void clear() noexcept {
        data_.clear();
        scanned_ = 0;
    }

private:
    std::string data_;
    std::size_t scanned_ = 0; // data_[0, scanned_) holds no '\n'
};

} // namespace postfach::net
