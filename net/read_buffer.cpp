#include "net/read_buffer.hpp"

namespace postfach::net {

std::optional<std::string> read_buffer::take_line() {
    const auto end = data_.find('\n', scanned_);
    if (end == std::string::npos) {
        scanned_ = data_.size();
        return std::nullopt;
    }
    const std::size_t length = end > 0 && data_[end - 1] == '\r' ? end - 1 : end;
    std::string line = data_.substr(0, length);
    data_.erase(0, end + 1);
    scanned_ = 0;
    return line;
}

std::optional<std::string> read_buffer::take_exactly(std::size_t n) {
    if (data_.size() < n)
        return std::nullopt;
    std::string out = data_.substr(0, n);
    data_.erase(0, n);
    scanned_ = scanned_ > n ? scanned_ - n : 0;
    return out;
}

void read_buffer::take_all(std::string& out) noexcept {
    out.clear();
    out.swap(data_);
    scanned_ = 0;
}

} // namespace postfach::net
