#pragma once
// SASL LOGIN (draft-murchison-sasl-login): the server asks twice; the client answers with the
// user name, then the password. The challenge text ("Username:", "User Name", ...) varies
// between servers and is ignored. Server-first: there is no initial response.

#include "net/sasl_mechanism.hpp"

namespace postfach::net {

class sasl_login final : public sasl_mechanism {
public:
    explicit sasl_login(sasl_credentials credentials)
        : credentials_(std::move(credentials)) {}
    [[nodiscard]] std::string_view name() const override { return "LOGIN"; }
    std::optional<secret_string> initial_response() override { return std::nullopt; }
    std::error_code step(std::string_view challenge, secret_string& response) override;

private:
    sasl_credentials credentials_;
    int answered_ = 0;
};

} // namespace postfach::net
