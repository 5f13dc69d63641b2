#pragma once
// A Maildir folder's scan token (sync::store::scan_since): the mtimes of its new/ and cur/.
// Every delivery, flag change (a rename), move and removal changes one of them, so a folder
// whose two mtimes equal those of a token is as it was when the token was taken, and a pass
// may skip listing it (design.md §4.7, issue 5).
//
// Mtimes are as coarse as the file system's clock: a change right after a listing may get the
// same mtime as the change before it, and would then go unnoticed. So a token is only given
// for mtimes already older than the listing by more than the clock's step: 1 kernel tick plus
// the file system's granularity. A file system that stores sub-second times (the nanoseconds
// of an mtime are not 0) steps by at most 10 ms (exFAT; ext4, XFS, Btrfs, tmpfs by one
// kernel tick), so 50 ms is safe there; for whole-second file systems (FAT: 2 s) it is 2 s.
// (A network file system takes the server's clock: a skewed one may defeat this, as it does
// every mtime-based Maildir tool.)
//
// Where the file system is known to keep the kernel's stamp to the nanosecond (ext4, XFS,
// Btrfs, tmpfs: statfs), the step is known exactly: the kernel stamps a change with its coarse
// clock (CLOCK_REALTIME_COARSE, one tick: 1-10 ms) or, since Linux 6.13, with a finer time
// that is later still; so once that clock is past both mtimes, a later change gets other ones.
// That takes one tick at most instead of 50 ms, which a pass after its own changes waits for.

#include <chrono>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

namespace postfach::maildir {

struct folder_times {
    struct timespec new_dir {};
    struct timespec cur_dir {};
};

// When a folder's times were read, as far as trusting them goes.
struct token_clock {
    struct timespec now {}; // CLOCK_REALTIME
    // CLOCK_REALTIME_COARSE and its tick, when the file system keeps the kernel's stamp to the
    // nanosecond (see above); else none, and sub-second mtimes take the 50 ms step.
    std::optional<struct timespec> coarse;
    std::chrono::nanoseconds tick{};
};

// The clock now, for the folder at `folder_dir`.
token_clock read_token_clock(const std::filesystem::path& folder_dir);

// The mtimes of <folder_dir>/new and <folder_dir>/cur.
std::error_code read_folder_times(const std::filesystem::path& folder_dir, folder_times& out);

// The token of `times` as text ("sec.nsec/sec.nsec"), for comparing with a stored one.
std::string token_text(const folder_times& times);

// The token a listing made after reading `times` at `clock` may vouch for: token_text(times),
// or "" when a later change could still get the same mtimes (see above).
std::string trusted_token(const folder_times& times, const token_clock& clock);

// How long after `clock` trusted_token() starts giving a token for `times` (zero: already).
std::chrono::nanoseconds time_to_trust(const folder_times& times, const token_clock& clock);

} // namespace postfach::maildir
