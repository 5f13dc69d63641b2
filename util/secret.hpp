#pragma once
// A string that must never reach a log, an error message or `status` output.
// It has no stream or fmt output of its own that shows the value: formatting it prints "***".
// Call reveal() only where the secret is handed to the wire or a child process.

#include <fmt/format.h>
#include <string>
#include <string_view>
#include <utility>

namespace postfach {

class secret_string {
public:
    secret_string() = default;
    explicit secret_string(std::string value)
        : value_(std::move(value)) {}

    [[nodiscard]] std::string_view reveal() const noexcept { return value_; }
    [[nodiscard]] bool empty() const noexcept { return value_.empty(); }

    friend bool operator==(const secret_string&, const secret_string&) = default;

private:
    std::string value_;
};

} // namespace postfach

template <>
struct fmt::formatter<postfach::secret_string> : fmt::formatter<std::string_view> {
    template <typename FormatContext>
    auto format(const postfach::secret_string&, FormatContext& ctx) const {
        return fmt::formatter<std::string_view>::format("***", ctx);
    }
};
