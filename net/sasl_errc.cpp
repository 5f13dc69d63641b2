#include "net/sasl_errc.hpp"

#include <string>

namespace postfach::net {

namespace {

class sasl_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "sasl"; }
    std::string message(int value) const override {
        switch (static_cast<sasl_errc>(value)) {
        case sasl_errc::unexpected_challenge:
            return "the server sent an unexpected SASL challenge";
        case sasl_errc::malformed_challenge:
            return "the server sent a SASL challenge that is not valid base64";
        case sasl_errc::no_common_mechanism:
            return "no authentication mechanism in common with the server";
        case sasl_errc::secret_kind_mismatch:
            return "the configured authentication mechanisms do not fit the kind of secret";
        case sasl_errc::plaintext_refused:
            return "refusing to send credentials over an unencrypted connection";
        }
        return "unknown SASL error";
    }
};

} // namespace

const std::error_category& sasl_category() noexcept {
    static const sasl_category_impl instance;
    return instance;
}

std::error_code make_error_code(sasl_errc e) noexcept {
    return {static_cast<int>(e), sasl_category()};
}

} // namespace postfach::net
