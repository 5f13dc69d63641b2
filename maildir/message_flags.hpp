#pragma once
// The six standard Maildir flags and their IMAP names (design.md §3, protocol-notes.md §5):
//   D \Draft, F \Flagged, P $Forwarded, R \Answered, S \Seen, T \Deleted.
// Other info letters (Dovecot keywords a-z, anything unknown) are not flags here: file_name
// keeps them verbatim so a rename never loses what another program wrote.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postfach::maildir {

enum class flag : std::uint8_t { draft, flagged, forwarded, answered, seen, deleted };

// Maildir letter of a flag: 'D', 'F', 'P', 'R', 'S', 'T'.
char flag_letter(flag f) noexcept;
// The flag of a Maildir letter, or nullopt for any other character.
std::optional<flag> flag_from_letter(char letter) noexcept;
// IMAP name: "\\Draft", "\\Flagged", "$Forwarded", "\\Answered", "\\Seen", "\\Deleted".
std::string_view imap_name(flag f) noexcept;
// Case-insensitive match of an IMAP flag name (system flags are case-insensitive in IMAP).
std::optional<flag> flag_from_imap_name(std::string_view name) noexcept;

// A set of standard flags; a value type.
class flag_set {
public:
    constexpr flag_set() = default;
    constexpr flag_set(std::initializer_list<flag> flags) {
        for (flag f : flags)
            bits_ = static_cast<std::uint8_t>(bits_ | bit(f));
    }

    [[nodiscard]] constexpr bool has(flag f) const noexcept { return (bits_ & bit(f)) != 0; }
    constexpr void set(flag f) noexcept { bits_ = static_cast<std::uint8_t>(bits_ | bit(f)); }
    constexpr void clear(flag f) noexcept { bits_ = static_cast<std::uint8_t>(bits_ & ~bit(f)); }
    [[nodiscard]] constexpr bool empty() const noexcept { return bits_ == 0; }
    [[nodiscard]] constexpr std::uint8_t bits() const noexcept { return bits_; }
    constexpr bool operator==(const flag_set&) const = default;

    // Letters in ASCII order, e.g. "FRS".
    [[nodiscard]] std::string letters() const;

private:
    static constexpr std::uint8_t bit(flag f) noexcept {
        return static_cast<std::uint8_t>(1U << static_cast<unsigned>(f));
    }
    std::uint8_t bits_ = 0;
};

} // namespace postfach::maildir
