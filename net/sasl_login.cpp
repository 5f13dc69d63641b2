#include "net/sasl_login.hpp"

#include "net/sasl_errc.hpp"

namespace postfach::net {

std::error_code sasl_login::step(std::string_view, secret_string& response) {
    switch (answered_++) {
    case 0:
        response = secret_string(credentials_.user);
        return {};
    case 1:
        response = credentials_.secret;
        return {};
    default:
        return sasl_errc::unexpected_challenge;
    }
}

} // namespace postfach::net
