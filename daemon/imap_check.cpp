#include "daemon/imap_check.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <exception>

namespace postfach {

namespace asio = boost::asio;

namespace {

// What the connection showed once open, before the folders are listed.
void record_session(imap::connection& c, imap_check_report& report) {
    report.tls = c.transport().tls_info();
    report.authentication = c.authentication_method();
    const auto& caps = c.session().fsm().capabilities();
    report.capabilities.assign(caps.begin(), caps.end());
}

asio::awaitable<void> run_check(imap::connection& c, imap_check_report& report) {
    if (const auto ec = co_await c.open()) {
        report.peer_address = c.transport().peer_address();
        report.tls = c.transport().tls_info();
        report.error = ec;
        report.step = c.failed_step();
        report.diagnostics = c.diagnostics();
        co_return;
    }
    report.peer_address = c.transport().peer_address();
    record_session(c, report);
    std::vector<imap::folder_info> folders;
    std::string diagnostics;
    if (const auto ec = co_await imap::list_folders(c.session(), folders, diagnostics)) {
        c.transport().close();
        report.error = ec;
        report.step = imap::connection_step::ready;
        report.diagnostics = diagnostics;
        co_return;
    }
    report.folders = std::move(folders);
    if (const auto ec = co_await c.logout()) {
        report.error = ec;
        report.step = imap::connection_step::ready;
        report.diagnostics = c.diagnostics();
        co_return;
    }
    report.logged_out = true;
}

} // namespace

imap_check_report check_imap_server(const config::server_config& server,
                                    const std::string& trace_name) {
    asio::io_context io;
    auto options = imap::connection_options_for(server, trace_name);
    // An interactive check should not hang for the daemon's two minutes.
    options.transport.read_timeout = std::chrono::seconds(30);
    imap::connection c(io.get_executor(), server, std::move(options));
    imap_check_report report;
    asio::co_spawn(io, run_check(c, report), [](std::exception_ptr e) {
        if (e)
            std::rethrow_exception(e); // out of io.run()
    });
    io.run();
    return report;
}

} // namespace postfach
