#include "net/tls_session_info.hpp"

#include <gtest/gtest.h>

namespace postfach::net {
namespace {

TEST(tls_session_info, describes_protocol_cipher_and_certificate_in_one_line) {
    tls_session_info info;
    info.protocol = "TLSv1.3";
    info.cipher = "TLS_AES_256_GCM_SHA384";
    EXPECT_EQ(describe(info), "TLSv1.3 TLS_AES_256_GCM_SHA384");
    info.peer_subject = "CN=localhost";
    info.peer_issuer = "CN=postfach test CA";
    info.peer_not_after_text = "2027-11-26 05:55:00 UTC";
    EXPECT_EQ(describe(info), "TLSv1.3 TLS_AES_256_GCM_SHA384, certificate CN=localhost issued by "
                              "CN=postfach test CA, valid until 2027-11-26 05:55:00 UTC");
}

} // namespace
} // namespace postfach::net
