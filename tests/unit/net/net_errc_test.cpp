#include "net/net_errc.hpp"

#include <boost/asio/error.hpp>
#include <gtest/gtest.h>

namespace postfach::net {
namespace {

TEST(net_errc, messages_name_the_condition) {
    EXPECT_EQ(std::error_code(net_errc::read_timeout).message(),
              "timed out waiting for the server");
    EXPECT_STREQ(std::error_code(net_errc::starttls_injection).category().name(), "net");
}

TEST(net_errc, network_trouble_is_transient_and_trust_problems_are_not) {
    EXPECT_TRUE(is_transient(net_errc::connect_timeout));
    EXPECT_TRUE(is_transient(net_errc::read_timeout));
    EXPECT_TRUE(is_transient(net_errc::connection_closed));
    EXPECT_TRUE(is_transient(net_errc::resolve_failed));
    EXPECT_FALSE(is_transient(net_errc::certificate_verify_failed));
    EXPECT_FALSE(is_transient(net_errc::starttls_injection));
    EXPECT_FALSE(is_transient(net_errc::ca_file_unreadable));
    EXPECT_FALSE(is_transient(std::make_error_code(std::io_errc::stream)));
    // What Asio reports for a socket, converted as the transport converts it.
    const std::error_code reset = boost::system::error_code(boost::asio::error::connection_reset);
    EXPECT_TRUE(is_transient(reset)) << reset.category().name();
}

} // namespace
} // namespace postfach::net
