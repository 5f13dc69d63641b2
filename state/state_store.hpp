#pragma once
// The sync state of one account: one SQLite database (design.md §3). Opening creates the
// directories (0700) and the file (0600), switches to WAL with synchronous=FULL, and migrates
// the schema (schema.hpp).
//
// Writes belong in a transaction (begin() ... commit()) at a commit point: after the Maildir
// batch or the server acknowledged the change, never before. With synchronous=FULL a committed
// transaction is on disk when commit() returns. Writes outside a transaction are allowed (each
// is its own commit) but slow.
//
// Not thread-safe: one store per account, used from the account's coroutine tree (or one thread
// at a time, as sqlite_sync_state does). The account lock (account_lock.hpp) keeps other
// processes away. A long WAL is checkpointed in the background, on a connection and a thread
// of the store's own (state_store.cpp, checkpoint_frames).

#include "state/records.hpp"
#include "state/transaction.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

struct sqlite3;

namespace postfach::state {

class state_store {
public:
    state_store();
    ~state_store();
    state_store(state_store&&) noexcept;
    state_store& operator=(state_store&&) noexcept;

    static std::error_code open(const std::filesystem::path& db_path, state_store& out);

    // Where an account's database lives: "<state_dir>/<account>.sqlite" (beside the account's
    // lock file, account_lock.hpp).
    static std::filesystem::path database_path(const std::filesystem::path& state_dir,
                                               std::string_view account);

    // SQLite's message for the last failure (never contains secrets: we store none).
    [[nodiscard]] const std::string& diagnostics() const noexcept;
    [[nodiscard]] int schema_version() const;

    std::error_code begin(transaction& out);

    // The open connection, for the classes that own the state's other tables
    // (status_recorder.hpp). They follow this class's rules: not thread-safe, writes at commit
    // points. nullptr before open().
    [[nodiscard]] sqlite3* connection() const noexcept;

    // Folders. save_folder inserts (id 0; sets id) or updates by id.
    std::error_code save_folder(folder_record& folder);
    std::error_code find_folder(std::string_view name, std::optional<folder_record>& out);
    std::error_code list_folders(std::vector<folder_record>& out);
    std::error_code rename_folder(std::int64_t folder_id, std::string_view new_name);
    // Deletes the folder and all its message pairs.
    std::error_code delete_folder(std::int64_t folder_id);

    // Message pairs. save_message inserts (id 0; sets id) or updates by id.
    std::error_code save_message(message_record& message);
    std::error_code delete_message(std::int64_t message_id);
    std::error_code find_message_by_uid(std::int64_t folder_id, std::uint32_t uid,
                                        std::optional<message_record>& out);
    std::error_code find_message_by_base_name(std::int64_t folder_id, std::string_view base_name,
                                              std::optional<message_record>& out);
    // Every pair with this identity, in any folder (moves, UIDVALIDITY re-pairing).
    std::error_code find_messages_by_identity(std::string_view message_id, std::uint64_t size,
                                              std::string_view content_hash,
                                              std::vector<message_record>& out);
    std::error_code list_messages(std::int64_t folder_id, std::vector<message_record>& out);
    // What the sync engine reads of each pair of a folder, in the order of list_messages: the
    // texts are valid during the call only, so no message_record is built per row (a folder
    // of 8,000 is read on every pass that changes it).
    struct message_keys {
        std::optional<std::uint32_t> uid;
        std::optional<std::string_view> base_name;
        std::string_view flags;
        std::string_view identity;
    };
    std::error_code visit_message_keys(std::int64_t folder_id,
                                       const std::function<void(const message_keys&)>& visit);
    // All pairs of a folder, e.g. after UIDVALIDITY changed.
    std::error_code delete_messages_of_folder(std::int64_t folder_id);
    // Whether any record of the folder has a UID, and any a base name (two index lookups,
    // whatever the folder's size).
    std::error_code any_messages(std::int64_t folder_id, bool& with_uid, bool& with_base_name);

    // POP3 UIDLs (the account's INBOX).
    std::error_code add_pop3_uidl(const pop3_uidl_record& uidl);
    std::error_code find_pop3_uidl(std::string_view uidl, std::optional<pop3_uidl_record>& out);
    std::error_code list_pop3_uidls(std::vector<pop3_uidl_record>& out);
    std::error_code delete_pop3_uidl(std::string_view uidl);

    // POP3 intents (records.hpp), by Maildir base name.
    std::error_code add_pop3_intent(const pop3_intent_record& intent);
    std::error_code list_pop3_intents(std::vector<pop3_intent_record>& out);
    std::error_code delete_pop3_intent(std::string_view base_name);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace postfach::state
