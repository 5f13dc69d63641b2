#pragma once
// `postfach migrate --account NAME --from-maildir DIR [--dry-run]` (design.md §1): uploads a
// local Maildir (any layout: Maildir++ when DIR itself is a maildir, else one directory per
// folder) into the account's IMAP server, into the folders of the same names (created when
// missing), skipping what the server already has (sync/migration.hpp), with the files' flags and
// dates (the Date header, else the file's mtime). Resumable: a second run uploads only what the
// first did not. Holds the account's lock while it works; never changes DIR.
//
// Prints what it would upload (--dry-run) and a summary line on `out`. Exit codes as `sync`:
// 0 done; 1 something failed (a rerun resumes); 2 usage (no such account, no IMAP, no DIR);
// 3 the account is locked; 75 the network or server was unavailable.

#include "config/config.hpp"

#include <filesystem>
#include <ostream>
#include <string>

namespace postfach {

struct migrate_request {
    std::string account;
    std::filesystem::path from_maildir;
    bool dry_run = false;
};

int run_migrate(const config::configuration& cfg, const migrate_request& request, std::ostream& out,
                std::ostream& err);

} // namespace postfach
