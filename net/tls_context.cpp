#include "net/tls_context.hpp"

#include "net/net_errc.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <dirent.h>
#include <fmt/format.h>
#include <memory>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string_view>

namespace postfach::net {

namespace {

std::string openssl_errors() {
    std::string out;
    while (const unsigned long e = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(e, buffer, sizeof buffer);
        if (!out.empty())
            out += "; ";
        out += buffer;
    }
    return out;
}

std::string name_text(const X509_NAME* name) {
    if (name == nullptr)
        return {};
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

// Whether `dir` holds a certificate under OpenSSL's hashed name (8 hex digits, '.', a digit):
// c_rehash / update-ca-certificates made it, so issuers can be looked up there one by one.
bool has_hashed_names(const char* dir) {
    const auto close_dir = [](DIR* d) { ::closedir(d); };
    std::unique_ptr<DIR, decltype(close_dir)> d(::opendir(dir), close_dir);
    if (!d)
        return false;
    while (const dirent* e = ::readdir(d.get())) {
        const std::string_view name = e->d_name;
        if (name.size() < 10 || name[8] != '.')
            continue;
        const auto hex = name.substr(0, 8);
        const auto suffix = name.substr(9);
        const auto is_hex = [](char c) {
            return std::isxdigit(static_cast<unsigned char>(c));
        };
        const auto is_digit = [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
        };
        if (std::all_of(hex.begin(), hex.end(), is_hex) &&
            std::all_of(suffix.begin(), suffix.end(), is_digit))
            return true;
    }
    return false;
}

// The system trust store. OpenSSL's default paths are a bundle file, parsed whole into every
// context (~140 certificates: 35-40 ms measured here, each pass, each connection), and a hashed
// directory, read one issuer at a time when a chain is checked. The directory alone trusts the
// same CAs where update-ca-certificates keeps both (Debian and its derivatives), at no cost up
// front. Where there is no hashed directory, or SSL_CERT_FILE names a bundle, OpenSSL's
// default paths are used as they are.
int load_system_trust_store(SSL_CTX* ctx) {
    if (std::getenv(X509_get_default_cert_file_env()) == nullptr) {
        const char* env_dir = std::getenv(X509_get_default_cert_dir_env());
        const char* dir = env_dir != nullptr ? env_dir : X509_get_default_cert_dir();
        if (has_hashed_names(dir))
            return SSL_CTX_load_verify_dir(ctx, dir);
    }
    return SSL_CTX_set_default_verify_paths(ctx);
}

} // namespace

std::error_code configure_tls_client(boost::asio::ssl::context& context,
                                     const std::optional<std::filesystem::path>& ca_file,
                                     std::string& diagnostics, bool verify) {
    SSL_CTX* ctx = context.native_handle();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_verify(ctx, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
    if (!verify)
        return {}; // no trust store needed: nothing is checked
    ERR_clear_error();
    const int loaded = ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file->c_str(), nullptr)
                               : load_system_trust_store(ctx);
    if (loaded != 1) {
        diagnostics = ca_file ? fmt::format("ca_file {}: {}", ca_file->string(), openssl_errors())
                              : fmt::format("system trust store: {}", openssl_errors());
        return net_errc::ca_file_unreadable;
    }
    return {};
}

void keep_record_buffers(SSL* ssl) {
    SSL_clear_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
}

std::error_code expect_peer_name(SSL* ssl, const std::string& host, std::string& diagnostics) {
    boost::system::error_code not_an_address;
    boost::asio::ip::make_address(host, not_an_address);
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (!not_an_address) {
        // RFC 6066 §3: SNI carries host names only; an address must be in the certificate's
        // IP subjectAltName.
        if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1)
            return {};
    } else {
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 &&
            SSL_set1_host(ssl, host.c_str()) == 1)
            return {};
    }
    diagnostics = fmt::format("cannot set up TLS for host {}: {}", host, openssl_errors());
    return net_errc::tls_handshake_failed;
}

std::error_code classify_handshake_failure(SSL* ssl, const std::error_code& handshake_error,
                                           const std::string& host, std::string& diagnostics) {
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
        diagnostics = fmt::format("certificate of {} not trusted: {}", host,
                                  X509_verify_cert_error_string(verify));
        return net_errc::certificate_verify_failed;
    }
    diagnostics = fmt::format("TLS handshake with {} failed: {}", host, handshake_error.message());
    // A plaintext greeting where a TLS record was expected: the usual cause is a STARTTLS port
    // configured as implicit TLS.
    if (std::string_view(handshake_error.category().name()) == "asio.ssl" &&
        ERR_GET_REASON(static_cast<unsigned long>(handshake_error.value())) ==
            SSL_R_WRONG_VERSION_NUMBER)
        diagnostics += " (the server did not answer with TLS; if this port expects STARTTLS, "
                       "set tls: starttls)";
    return net_errc::tls_handshake_failed;
}

tls_session_info describe_tls_session(SSL* ssl) {
    tls_session_info info;
    info.protocol = SSL_get_version(ssl);
    if (const char* cipher = SSL_get_cipher_name(ssl))
        info.cipher = cipher;
    std::unique_ptr<X509, decltype(&X509_free)> peer(SSL_get1_peer_certificate(ssl), &X509_free);
    if (!peer)
        return info;
    info.peer_subject = name_text(X509_get_subject_name(peer.get()));
    info.peer_issuer = name_text(X509_get_issuer_name(peer.get()));
    std::tm expiry{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(peer.get()), &expiry) == 1) {
        info.peer_not_after = std::chrono::system_clock::from_time_t(::timegm(&expiry));
        info.peer_not_after_text = fmt::format(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", expiry.tm_year + 1900, expiry.tm_mon + 1,
            expiry.tm_mday, expiry.tm_hour, expiry.tm_min, expiry.tm_sec);
    }
    return info;
}

} // namespace postfach::net
