#pragma once
// `postfach migrate`: upload what a source store (a local Maildir, e.g. years of POP3
// downloads) has and the target store (the IMAP account) lacks, folder by folder, with the
// flags of the source and a date for each message (design.md §1; issue 7).
//
// A message is on the target already when a message of the same identity is in the same
// folder there (message_identity.hpp: wire size + SHA-256 of the header block, which holds the
// Message-ID): it is skipped. So a second run uploads nothing, and a run that was interrupted
// resumes where it stopped without a state of its own (each upload is one APPEND: it is on the
// server whole or not at all). Two copies of one message in a source folder are uploaded once.
//
// Folders of the source that the target lacks are created. Nothing is ever deleted or changed,
// on either side.

#include "sync/store.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace postfach::sync {

struct migration_options {
    bool dry_run = false; // list what would be uploaded; upload and create nothing
    // The date to give a message (INTERNALDATE), seconds since the epoch; 0 = the target's
    // "now". Called before each upload with the source's folder and message id.
    std::function<std::int64_t(const std::string& folder, const std::string& id)> date_of;
    // Called after each upload (or, dry_run, each message that would be uploaded).
    std::function<void(const std::string& folder, const scanned_message& message)> on_upload;
};

struct migration_result {
    std::size_t folders = 0;         // source folders looked at
    std::size_t folders_created = 0; // on the target (dry_run: would be)
    std::size_t uploaded = 0;        // dry_run: would be uploaded
    std::uint64_t bytes = 0;         // wire bytes of those
    std::size_t already_there = 0;   // skipped: the target has them
    std::error_code error;           // the migration stopped here
    std::string error_detail;        // what it was doing
};

task<migration_result> migrate_messages(store& source, store& target, migration_options options);

} // namespace postfach::sync
