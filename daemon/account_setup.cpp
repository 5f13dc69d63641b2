#include "daemon/account_setup.hpp"

#include "state/state_errc.hpp"
#include "util/posix_file.hpp"

#include <filesystem>
#include <fmt/format.h>

namespace postfach {

namespace fs = std::filesystem;

account_setup_status open_account(const std::filesystem::path& state_dir,
                                  const config::account_config& account, state::account_lock& lock,
                                  state::state_store& db, std::string& message) {
    if (const auto status = lock_account(state_dir, account, lock, message);
        status != account_setup_status::ok)
        return status;
    return open_account_state(state_dir, account, db, message) ? account_setup_status::ok
                                                               : account_setup_status::failed;
}

account_setup_status lock_account(const std::filesystem::path& state_dir,
                                  const config::account_config& account, state::account_lock& lock,
                                  std::string& message) {
    // One postfach per account (design.md §3).
    pid_t holder = 0;
    if (auto ec = state::account_lock::acquire(state_dir, account.name, lock, holder)) {
        if (ec == state::state_errc::locked) {
            message = state::account_lock::contention_message(account.name, holder);
            return account_setup_status::locked;
        }
        message = fmt::format("{}: cannot lock {}: {}; check that the state directory is writable",
                              account.name, state_dir.string(), ec.message());
        return account_setup_status::failed;
    }
    // Missing parents too get 0700, whatever the umask.
    std::error_code ec = util::make_private_directories(account.maildir);
    if (ec) {
        message = fmt::format("{}: cannot create the Maildir {}: {}", account.name,
                              account.maildir.string(), ec.message());
        return account_setup_status::failed;
    }
    fs::permissions(account.maildir, fs::perms::owner_all, fs::perm_options::replace, ec);
    return account_setup_status::ok;
}

bool open_account_state(const std::filesystem::path& state_dir,
                        const config::account_config& account, state::state_store& db,
                        std::string& message) {
    if (auto ec = state::state_store::open(
            state::state_store::database_path(state_dir, account.name), db)) {
        message = fmt::format("{}: cannot open the sync state: {} ({})", account.name, ec.message(),
                              db.diagnostics());
        return false;
    }
    return true;
}

} // namespace postfach
