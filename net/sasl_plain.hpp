#pragma once
// SASL PLAIN (RFC 4616): one message, "[authzid] NUL authcid NUL passwd".

#include "net/sasl_mechanism.hpp"

namespace postfach::net {

class sasl_plain final : public client_first_mechanism {
public:
    explicit sasl_plain(sasl_credentials credentials)
        : credentials_(std::move(credentials)) {}
    [[nodiscard]] std::string_view name() const override { return "PLAIN"; }

protected:
    [[nodiscard]] secret_string make_initial_response() const override;

private:
    sasl_credentials credentials_;
};

} // namespace postfach::net
