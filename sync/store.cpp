#include "sync/store.hpp"

namespace postfach::sync {

task<std::error_code> message_sink::write_owned(std::string chunk) {
    co_return co_await write(chunk);
}

task<std::error_code> store::scan_since(const std::string& folder, const scan_base&,
                                        folder_scan& result) {
    co_return co_await scan(folder, result);
}

task<std::error_code> store::unchanged_since(const std::string&, const std::string&,
                                             const std::string&, bool& unchanged) {
    unchanged = false;
    co_return std::error_code{};
}

void store::expect_scans(std::vector<expected_scan>) {}

bool store::token_possible(const std::string&) {
    return true;
}

task<std::error_code> store::set_flags_from(const std::string& folder, const std::string& id,
                                            flag_bits, flag_bits add, flag_bits remove) {
    co_return co_await set_flags(folder, id, add, remove);
}

task<std::error_code> store::rescan(const std::string& folder, folder_scan& result) {
    co_return co_await scan(folder, result);
}

task<std::error_code> store::read_messages(const std::string& folder,
                                           const std::vector<std::string>& ids,
                                           message_receiver& receiver) {
    for (const auto& id : ids) {
        message_header header;
        header.id = id;
        if (auto ec = co_await message_size(folder, id, header.size))
            co_return ec;
        message_sink* sink = nullptr;
        if (auto ec = co_await receiver.open(header, sink))
            co_return ec;
        const auto read = co_await read_message(folder, id, *sink);
        if (auto ec = co_await receiver.close(header, read))
            co_return ec;
        if (read)
            co_return read;
    }
    co_return std::error_code{};
}

task<std::error_code> store::write_message(const new_message& message, const producer& produce,
                                           std::string& new_id) {
    std::unique_ptr<message_writer> writer;
    if (auto ec = co_await begin_message(message, writer))
        co_return ec;
    if (auto ec = co_await produce(*writer))
        co_return ec; // the writer abandons the message
    co_return co_await writer->finish(new_id);
}

} // namespace postfach::sync
