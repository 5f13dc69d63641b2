#include "daemon/status_keeper.hpp"

#include <spdlog/spdlog.h>

namespace postfach {

void status_keeper::note(std::error_code ec) {
    if (ec && ec != last_problem_)
        spdlog::warn("{}: cannot record the status for postfach status: {}", account_.name,
                     ec.message());
    last_problem_ = ec;
}

void status_keeper::connection(state::connection_state s) {
    if (written_ == s)
        return;
    const auto ec = recorder_.set_connection(s);
    if (!ec)
        written_ = s;
    note(ec);
}

void status_keeper::pass(const sync::pass_result& result) {
    note(recorder_.record_pass(result));
}

void status_keeper::failure(std::string_view what) {
    note(recorder_.record_failure(what));
}

} // namespace postfach
