#include "net/transport.hpp"

#include <gtest/gtest.h>

namespace postfach::net {
namespace {

TEST(transport_options, come_from_the_server_block) {
    config::server_config server;
    server.host = "imap.example.com";
    server.port = 143;
    server.ca_file = "/etc/ssl/my-ca.pem";
    const auto options = transport_options_for(server);
    EXPECT_EQ(options.host, "imap.example.com");
    EXPECT_EQ(options.port, 143);
    EXPECT_EQ(options.ca_file, std::filesystem::path("/etc/ssl/my-ca.pem"));
    EXPECT_EQ(options.connect_timeout, std::chrono::seconds(30));
    server.ca_file.reset();
    EXPECT_FALSE(transport_options_for(server).ca_file);
}

} // namespace
} // namespace postfach::net
