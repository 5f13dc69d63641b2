#include "net/sasl_bearer.hpp"

#include "net/sasl_errc.hpp"

namespace postfach::net {

namespace {

// RFC 5801 §4 saslname: ',' and '=' are escaped as =2C and =3D in the GS2 header.
std::string gs2_saslname(std::string_view name) {
    std::string out;
    for (const char c : name) {
        if (c == ',')
            out += "=2C";
        else if (c == '=')
            out += "=3D";
        else
            out += c;
    }
    return out;
}

} // namespace

std::error_code bearer_token_mechanism::on_challenge(std::string_view challenge,
                                                     secret_string& response) {
    // Only one error challenge is defined; a second one is a confused server.
    if (error_seen_)
        return sasl_errc::unexpected_challenge;
    error_seen_ = true;
    server_error_ = std::string(challenge);
    response = secret_string(std::string(error_acknowledgement()));
    return {};
}

secret_string sasl_xoauth2::make_initial_response() const {
    std::string message = "user=" + credentials_.user + "\x01" + "auth=Bearer ";
    message += credentials_.secret.reveal();
    message += "\x01\x01";
    return secret_string(std::move(message));
}

secret_string sasl_oauthbearer::make_initial_response() const {
    const std::string& identity =
        credentials_.authzid.empty() ? credentials_.user : credentials_.authzid;
    std::string message = "n,a=" + gs2_saslname(identity) + ",\x01" + "host=" + credentials_.host +
                          "\x01" + "port=" + std::to_string(credentials_.port) + "\x01" +
                          "auth=Bearer ";
    message += credentials_.secret.reveal();
    message += "\x01\x01";
    return secret_string(std::move(message));
}

} // namespace postfach::net
