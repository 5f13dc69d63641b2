#include "net/sasl_exchange.hpp"

#include "net/sasl_errc.hpp"
#include "util/base64.hpp"

namespace postfach::net {

namespace {

secret_string encode(const secret_string& response) {
    return secret_string(response.empty() ? std::string("=")
                                          : util::base64_encode(response.reveal()));
}

} // namespace

std::optional<secret_string> sasl_exchange::initial_argument() {
    auto response = mechanism_->initial_response();
    if (!response)
        return std::nullopt;
    return encode(*response);
}

secret_string sasl_exchange::answer(std::string_view base64_challenge, std::error_code& ec) {
    ec.clear();
    // Some servers send "+" with nothing, or trailing blanks: both mean an empty challenge.
    while (!base64_challenge.empty() && base64_challenge.back() == ' ')
        base64_challenge.remove_suffix(1);
    const auto challenge = util::base64_decode(base64_challenge);
    if (!challenge) {
        ec = sasl_errc::malformed_challenge;
        return secret_string("*");
    }
    secret_string response;
    if ((ec = mechanism_->step(*challenge, response)))
        return secret_string("*");
    // A response line is never "=": only the initial response has that special form. An empty
    // answer (XOAUTH2's reply to its error challenge) is an empty line.
    return secret_string(response.empty() ? std::string() : util::base64_encode(response.reveal()));
}

} // namespace postfach::net
