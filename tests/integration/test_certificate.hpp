#pragma once
// Self-signed certificates made in memory with OpenSSL, for TLS tests that need a certificate
// the fixture CA cannot give: expired, not yet valid, or simply self-signed.

#include <chrono>
#include <memory>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdexcept>
#include <string>

namespace postfach::test {

struct pem_certificate {
    std::string certificate; // PEM
    std::string private_key; // PEM
};

// A self-signed certificate for DNS:localhost and IP:127.0.0.1, valid from now + not_before
// until now + not_after (negative offsets lie in the past).
inline pem_certificate make_self_signed_certificate(std::chrono::seconds not_before,
                                                    std::chrono::seconds not_after) {
    const auto check = [](bool ok, const char* what) {
        if (!ok)
            throw std::runtime_error(std::string("making a test certificate: ") + what);
    };
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
    check(key != nullptr, "EVP_EC_gen");
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
    check(X509_set_version(cert.get(), 2) == 1, "X509_set_version");
    check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1) == 1, "serial");
    check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(not_before.count())),
          "notBefore");
    check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(not_after.count())),
          "notAfter");
    check(X509_set_pubkey(cert.get(), key.get()) == 1, "X509_set_pubkey");
    X509_NAME* name = X509_get_subject_name(cert.get());
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                                     0) == 1,
          "CN");
    check(X509_set_issuer_name(cert.get(), name) == 1, "issuer");
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    std::unique_ptr<X509_EXTENSION, decltype(&X509_EXTENSION_free)> san(
        X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"),
        &X509_EXTENSION_free);
    check(san && X509_add_ext(cert.get(), san.get(), -1) == 1, "subjectAltName");
    check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "X509_sign");

    const auto to_pem = [&](auto write) {
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
        check(bio && write(bio.get()) == 1, "PEM output");
        char* data = nullptr;
        const long size = BIO_get_mem_data(bio.get(), &data);
        return std::string(data, static_cast<std::size_t>(size));
    };
    pem_certificate pem;
    pem.certificate = to_pem([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); });
    pem.private_key = to_pem([&](BIO* b) {
        return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    return pem;
}

} // namespace postfach::test
