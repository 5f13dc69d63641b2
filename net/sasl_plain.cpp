#include "net/sasl_plain.hpp"

namespace postfach::net {

secret_string sasl_plain::make_initial_response() const {
    std::string message = credentials_.authzid;
    message += '\0';
    message += credentials_.user;
    message += '\0';
    message += credentials_.secret.reveal();
    return secret_string(std::move(message));
}

} // namespace postfach::net
