#pragma once
// The number of files a process may have open: a Maildir group commit keeps every file of its
// batch open until the commit (to sync and link it), and the next batch's files are written
// while it runs: up to 4 x 256 descriptors per account (a batch grows to twice its size while
// the one before commits), several accounts per daemon. The usual soft limit is 1,024; the
// hard one much higher.

#include <cstddef>

namespace postfach::util {

// The soft limit on open files now (SIZE_MAX when unlimited or unknown).
std::size_t open_file_limit() noexcept;

// Raises the soft limit on open files to the hard limit. Call once, early in main(); a refusal
// changes nothing (the process keeps the limit it had).
void raise_open_file_limit() noexcept;

} // namespace postfach::util
