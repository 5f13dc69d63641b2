#include "daemon/account_worker.hpp"

#include "daemon/trigger.hpp"

#include <boost/system/system_error.hpp>
#include <spdlog/spdlog.h>

namespace postfach {

account_worker::account_worker(const boost::asio::any_io_executor& executor,
                               std::filesystem::path state_dir, config::account_config account,
                               account_worker_hooks hooks)
    : state_dir_(std::move(state_dir))
    , executor_(executor)
    , account_(std::move(account))
    , hooks_(std::move(hooks))
    , state_([this] { notify_state_change(); }) {}

account_worker::~account_worker() = default;

void account_worker::stop() {
    stopping_ = true;
    on_stop();
}

boost::asio::awaitable<void> account_worker::run() {
    std::string message;
    setup_status_ = open_account(state_dir_, account_, lock_, db_, message);
    if (setup_status_ != account_setup_status::ok) {
        spdlog::error("{}", message);
        state_.set(account_state::failed);
        co_return;
    }
    state_.record_to(account_, db_);
    try {
        co_await work();
        state_.set(account_state::stopped);
    } catch (const boost::system::system_error& e) {
        if (!is_cancellation(e))
            spdlog::error("{}: {}", account_.name, e.what());
        state_.set(stopping_ ? account_state::stopped : account_state::failed);
    }
    lock_.release();
}

} // namespace postfach
