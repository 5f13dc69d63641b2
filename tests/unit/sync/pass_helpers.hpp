#pragma once
// Helpers for tests that run engine passes over real stores: run a coroutine to its end, make
// test mail in wire form, and read what a store holds as the user would see it.

#include "sync/store.hpp"
#include "tests/unit/sync/memory_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>
#include <map>
#include <set>
#include <string>

namespace postfach::sync::testing {

template <typename T>
T run_task(task<T> t) {
    boost::asio::io_context io;
    auto future = boost::asio::co_spawn(io, std::move(t), boost::asio::use_future);
    io.run();
    return future.get();
}

// A small message in wire form whose header (and so identity) differs by tag.
inline std::string test_mail(const std::string& tag) {
    return "Message-ID: <" + tag + "@example.org>\r\nSubject: " + tag + "\r\n\r\nbody of " + tag +
           "\r\n";
}

struct string_sink final : message_sink {
    std::string data;
    int chunks = 0;
    task<std::error_code> write(std::string_view chunk) override {
        data.append(chunk);
        ++chunks;
        co_return std::error_code{};
    }
};

// Folder -> (wire bytes, flags) of every message: what a user sees, ignoring ids.
using mailbox_contents = std::map<std::string, std::multiset<std::pair<std::string, flag_bits>>>;

inline mailbox_contents contents(const memory_mailbox& m) {
    mailbox_contents out;
    for (const auto& [folder, messages] : m) {
        auto& set = out[folder];
        for (const auto& [id, msg] : messages)
            set.emplace(msg.body, msg.flags);
    }
    return out;
}

// The same, read through a store's own interface.
inline mailbox_contents contents(store& s) {
    mailbox_contents out;
    std::vector<folder_info> folders;
    EXPECT_FALSE(run_task(s.list_folders(folders)));
    for (const auto& f : folders) {
        folder_scan scan;
        EXPECT_FALSE(run_task(s.scan(f.name, scan))) << f.name;
        auto& set = out[f.name];
        for (const auto& m : scan.messages) {
            string_sink sink;
            EXPECT_FALSE(run_task(s.read_message(f.name, m.id, sink))) << f.name << " " << m.id;
            set.emplace(sink.data, m.flags);
        }
    }
    return out;
}

} // namespace postfach::sync::testing
