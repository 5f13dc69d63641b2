#pragma once
// Coalesces bursts of new mail per folder before the on_new_mail hook runs (design.md §2): a
// daemon that sees 30 messages arrive one by one runs the hook once for the folder, not 30
// times. Pure bookkeeping, no clock of its own: the caller passes `now` and arms a timer for
// next_due().
//
// A folder's batch is due when `window` passed without more mail for it (trailing edge), or
// `max_delay` after its first message at the latest, so a steady trickle still runs the hook.

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postfach {

struct new_mail_batch {
    std::string folder;
    std::size_t count = 0; // messages that arrived in the folder since its last batch
    bool operator==(const new_mail_batch&) const = default;
};

class new_mail_debouncer {
public:
    using clock = std::chrono::steady_clock;

    // max_delay defaults to ten windows.
    explicit new_mail_debouncer(std::chrono::milliseconds window,
                                std::optional<std::chrono::milliseconds> max_delay = {});

    // `count` new messages landed in `folder` (0 is ignored).
    void add(std::string_view folder, std::size_t count, clock::time_point now);

    // The batches due at `now`, removed from the pending set, in folder order.
    std::vector<new_mail_batch> take_due(clock::time_point now);
    // Every pending batch, due or not (end of a one-shot sync, shutdown).
    std::vector<new_mail_batch> take_all();

    // When the next batch falls due; nothing pending: empty.
    [[nodiscard]] std::optional<clock::time_point> next_due() const;

private:
    struct pending {
        std::size_t count = 0;
        clock::time_point first;
        clock::time_point last;
    };
    [[nodiscard]] clock::time_point due_at(const pending& p) const;

    std::chrono::milliseconds window_;
    std::chrono::milliseconds max_delay_;
    std::map<std::string, pending, std::less<>> pending_;
};

} // namespace postfach
