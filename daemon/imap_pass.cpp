#include "daemon/imap_pass.hpp"

#include "maildir/maildir_store.hpp"
#include "state/sqlite_sync_state.hpp"
#include "sync/folder_filter.hpp"
#include "util/open_file_limit.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

namespace postfach {

maildir::folder_layout maildir_of(const config::account_config& account) {
    return maildir::folder_layout(account.maildir, account.layout == config::layout_kind::verbatim
                                                       ? maildir::layout_kind::verbatim
                                                       : maildir::layout_kind::maildir_plus_plus);
}

std::size_t commit_every_for(std::size_t open_files, std::size_t preferred) {
    return std::clamp<std::size_t>(open_files / 16, 8, std::max<std::size_t>(8, preferred));
}

sync::pass_options pass_options_for(const config::account_config& account, bool dry_run,
                                    bool force) {
    sync::pass_options o;
    using config::expunge_mode;
    using config::sync_direction;
    const auto remote = static_cast<int>(sync::side::remote);
    const auto local = static_cast<int>(sync::side::local);
    o.plan.may_change[remote] = account.sync.direction != sync_direction::pull;
    o.plan.may_change[local] = account.sync.direction != sync_direction::push;
    o.plan.may_delete[remote] =
        account.sync.expunge == expunge_mode::both || account.sync.expunge == expunge_mode::remote;
    o.plan.may_delete[local] =
        account.sync.expunge == expunge_mode::both || account.sync.expunge == expunge_mode::local;
    o.plan.max_delete_fraction = account.sync.max_delete_fraction;
    o.plan.force = force;
    o.dry_run = dry_run;
    o.commit_every = commit_every_for(util::open_file_limit(), o.commit_every);
    // On a terminal only (design.md §1): one line per folder, rewritten in place.
    if (::isatty(STDERR_FILENO) == 1) {
        o.on_progress = [name = account.name,
                         start = std::chrono::steady_clock::now()](const sync::pass_progress& p) {
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            const double mb = static_cast<double>(p.bytes) / 1e6;
            fmt::print(stderr, "\r{}: {}: {}/{} messages, {:.1f} MB, {:.1f} MB/s\033[K", name,
                       p.folder, p.done, p.total, mb, seconds > 0 ? mb / seconds : 0.0);
            if (p.done == p.total)
                fmt::print(stderr, "\r\033[K");
            std::fflush(stderr);
        };
    }
    return o;
}

sync::task<sync::pass_result> run_imap_pass(config::account_config account,
                                            imap::imap_store& remote, state::state_store& db,
                                            sync::pass_options options) {
    maildir::maildir_store local(maildir_of(account));
    state::sqlite_sync_state state(db);
    co_return co_await sync::run_account_pass(
        {&remote, &local}, state,
        sync::make_folder_selector(account.folders.include, account.folders.exclude),
        std::move(options));
}

} // namespace postfach
