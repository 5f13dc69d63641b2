#pragma once
// A set of UIDs or sequence numbers as IMAP writes it: "1:5,7,9:*" (RFC 3501 §9 sequence-set).
// Ranges are kept as given by the server, or normalised (sorted, merged) when built from UIDs.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postfach::imap {

struct uid_range {
    // 0 stands for "*" (the largest UID in the mailbox); real UIDs are never 0.
    std::uint32_t first = 0;
    std::uint32_t last = 0;

    friend bool operator==(const uid_range&, const uid_range&) = default;
};

class uid_set {
public:
    static constexpr std::uint32_t star = 0;

    uid_set() = default;

    // Sorted, duplicates removed, consecutive values merged: {1,2,3,4,5,7,9,10} -> "1:5,7,9:10".
    static uid_set from_uids(std::vector<std::uint32_t> uids);
    // A single range first:last (last may be star).
    static uid_set range(std::uint32_t first, std::uint32_t last);
    // Parses "1:5,7,9:*"; nullopt on anything else (empty, 0, junk, overflow).
    static std::optional<uid_set> parse(std::string_view text);

    void add(uid_range r) { ranges_.push_back(r); }
    [[nodiscard]] const std::vector<uid_range>& ranges() const noexcept { return ranges_; }
    [[nodiscard]] bool empty() const noexcept { return ranges_.empty(); }
    // Expands every range, sorted as given (a range with * is skipped: its end is not known).
    // A server can send "1:4294967295", so expansion stops at `limit` values: nullopt then.
    [[nodiscard]] std::optional<std::vector<std::uint32_t>>
    to_uids(std::uint64_t limit = std::uint64_t{1} << 20) const;
    // How many values the ranges hold (ranges with * not counted).
    [[nodiscard]] std::uint64_t count() const noexcept;
    [[nodiscard]] bool contains(std::uint32_t uid) const noexcept;
    [[nodiscard]] std::string to_string() const;
    // Splits into sets whose to_string() is at most max_chars long (but never splits a range),
    // so commands stay within servers' line limits (RFC 7162 §4 suggests 8 KB lines).
    [[nodiscard]] std::vector<uid_set> split(std::size_t max_chars) const;

    friend bool operator==(const uid_set&, const uid_set&) = default;

private:
    std::vector<uid_range> ranges_;
};

} // namespace postfach::imap
