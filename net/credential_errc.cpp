#include "net/credential_errc.hpp"

#include <string>

namespace postfach::net {

namespace {

class credential_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "credential"; }
    std::string message(int value) const override {
        switch (static_cast<credential_errc>(value)) {
        case credential_errc::file_unreadable:
            return "cannot read the password file";
        case credential_errc::file_too_permissive:
            return "the password file is readable by other users";
        case credential_errc::empty_secret:
            return "the secret is empty";
        case credential_errc::command_not_started:
            return "cannot run the credential command";
        case credential_errc::command_failed:
            return "the credential command failed";
        case credential_errc::command_timed_out:
            return "the credential command timed out";
        case credential_errc::command_output_too_large:
            return "the credential command wrote too much output";
        }
        return "unknown credential error";
    }
};

} // namespace

const std::error_category& credential_category() noexcept {
    static const credential_category_impl instance;
    return instance;
}

std::error_code make_error_code(credential_errc e) noexcept {
    return {static_cast<int>(e), credential_category()};
}

} // namespace postfach::net
