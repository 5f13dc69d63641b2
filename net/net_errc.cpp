#include "net/net_errc.hpp"

#include <string>

namespace postfach::net {

namespace {

class net_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "net"; }
    std::string message(int value) const override {
        switch (static_cast<net_errc>(value)) {
        case net_errc::resolve_failed:
            return "cannot resolve the host name";
        case net_errc::connect_failed:
            return "cannot connect to the server";
        case net_errc::connect_timeout:
            return "timed out connecting to the server";
        case net_errc::read_timeout:
            return "timed out waiting for the server";
        case net_errc::write_timeout:
            return "timed out sending to the server";
        case net_errc::connection_closed:
            return "the server closed the connection";
        case net_errc::line_too_long:
            return "the server sent an overlong line";
        case net_errc::tls_handshake_failed:
            return "TLS handshake failed";
        case net_errc::certificate_verify_failed:
            return "the server's certificate is not trusted";
        case net_errc::ca_file_unreadable:
            return "cannot load ca_file";
        case net_errc::starttls_injection:
            return "data arrived between STARTTLS and the TLS handshake (possible injection)";
        case net_errc::tls_already_active:
            return "TLS is already active on this connection";
        case net_errc::not_connected:
            return "not connected";
        }
        return "unknown network error";
    }
};

} // namespace

const std::error_category& net_category() noexcept {
    static const net_category_impl instance;
    return instance;
}

bool is_transient(const std::error_code& ec) noexcept {
    if (ec.category() == std::system_category() || ec.category() == std::generic_category())
        return true;
    if (ec.category() != net_category())
        return false;
    switch (static_cast<net_errc>(ec.value())) {
    case net_errc::resolve_failed:
    case net_errc::connect_failed:
    case net_errc::connect_timeout:
    case net_errc::read_timeout:
    case net_errc::write_timeout:
    case net_errc::connection_closed:
        return true;
    case net_errc::line_too_long:
    case net_errc::tls_handshake_failed:
    case net_errc::certificate_verify_failed:
    case net_errc::ca_file_unreadable:
    case net_errc::starttls_injection:
    case net_errc::tls_already_active:
    case net_errc::not_connected:
        return false;
    }
    return false;
}

std::error_code make_error_code(net_errc e) noexcept {
    return {static_cast<int>(e), net_category()};
}

} // namespace postfach::net
