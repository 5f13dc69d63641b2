#pragma once
// The number of files a process may have open: a Maildir group commit keeps every file of its
// batch open until the commit (to sync and link it), and the next batch's files are written
// while it runs: ~2 x 256 descriptors per account, several accounts per daemon. The usual soft
// limit is 1,024; the hard one much higher.

namespace postfach::util {

// Raises the soft limit on open files to the hard limit. Call once, early in main(); a refusal
// changes nothing (the process keeps the limit it had).
void raise_open_file_limit() noexcept;

} // namespace postfach::util
