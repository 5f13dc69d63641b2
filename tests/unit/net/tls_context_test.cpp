#include "net/net_errc.hpp"
#include "net/tls_context.hpp"
#include "tests/unit/support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <memory>
#include <openssl/crypto.h>
#include <openssl/x509v3.h>

namespace postfach::net {
namespace {

namespace ssl = boost::asio::ssl;

void free_openssl_string(char* p) {
    OPENSSL_free(p);
}

TEST(tls_context, requires_tls12_and_always_verifies_the_peer) {
    ssl::context context(ssl::context::tls_client);
    std::string diagnostics;
    ASSERT_FALSE(configure_tls_client(context, std::nullopt, diagnostics)) << diagnostics;
    EXPECT_EQ(SSL_CTX_get_min_proto_version(context.native_handle()), TLS1_2_VERSION);
    EXPECT_EQ(SSL_CTX_get_verify_mode(context.native_handle()), SSL_VERIFY_PEER);
}

// Without ca_file, a hashed certificate directory is used as it is: nothing is parsed when the
// context is made (the bundle file cost 35-40 ms per context), issuers are read when needed.
TEST(tls_context, the_system_trust_store_is_read_lazily_from_its_hashed_directory) {
    test::temp_dir certs;
    std::ofstream(certs.path() / "0123abcd.0") << "not read up front\n";
    ::unsetenv("SSL_CERT_FILE");
    ::setenv("SSL_CERT_DIR", certs.path().c_str(), 1);
    ssl::context context(ssl::context::tls_client);
    std::string diagnostics;
    const auto ec = configure_tls_client(context, std::nullopt, diagnostics);
    ::unsetenv("SSL_CERT_DIR");
    ASSERT_FALSE(ec) << diagnostics;
    X509_STORE* store = SSL_CTX_get_cert_store(context.native_handle());
    EXPECT_EQ(sk_X509_OBJECT_num(X509_STORE_get0_objects(store)), 0)
        << "no certificate parsed when the context was made";
}

TEST(tls_context, a_missing_ca_file_is_reported_with_its_path) {
    ssl::context context(ssl::context::tls_client);
    std::string diagnostics;
    EXPECT_EQ(configure_tls_client(context, "/nonexistent/ca.pem", diagnostics),
              net_errc::ca_file_unreadable);
    EXPECT_NE(diagnostics.find("/nonexistent/ca.pem"), std::string::npos) << diagnostics;
}

TEST(tls_context, host_names_go_into_sni_and_addresses_do_not) {
    ssl::context context(ssl::context::tls_client);
    std::string diagnostics;
    std::unique_ptr<SSL, decltype(&SSL_free)> named(SSL_new(context.native_handle()), &SSL_free);
    ASSERT_FALSE(expect_peer_name(named.get(), "imap.example.com", diagnostics)) << diagnostics;
    EXPECT_STREQ(SSL_get_servername(named.get(), TLSEXT_NAMETYPE_host_name), "imap.example.com");
    EXPECT_STREQ(X509_VERIFY_PARAM_get0_host(SSL_get0_param(named.get()), 0), "imap.example.com");
    std::unique_ptr<SSL, decltype(&SSL_free)> address(SSL_new(context.native_handle()), &SSL_free);
    ASSERT_FALSE(expect_peer_name(address.get(), "192.0.2.7", diagnostics)) << diagnostics;
    EXPECT_EQ(SSL_get_servername(address.get(), TLSEXT_NAMETYPE_host_name), nullptr);
    std::unique_ptr<char, decltype(&free_openssl_string)> ip(
        X509_VERIFY_PARAM_get1_ip_asc(SSL_get0_param(address.get())), &free_openssl_string);
    EXPECT_STREQ(ip.get(), "192.0.2.7");
}

TEST(tls_context, a_connection_keeps_its_record_buffers) {
    boost::asio::io_context io;
    ssl::context context(ssl::context::tls_client);
    ssl::stream<boost::asio::ip::tcp::socket> stream(io, context);
    // What Asio does to every stream, and what keep_record_buffers undoes.
    ASSERT_NE(SSL_get_mode(stream.native_handle()) & SSL_MODE_RELEASE_BUFFERS, 0u);
    keep_record_buffers(stream.native_handle());
    EXPECT_EQ(SSL_get_mode(stream.native_handle()) & SSL_MODE_RELEASE_BUFFERS, 0u);
    EXPECT_NE(SSL_get_mode(stream.native_handle()) & SSL_MODE_ENABLE_PARTIAL_WRITE, 0u);
}

} // namespace
} // namespace postfach::net
