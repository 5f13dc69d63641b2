#include "util/system_error_advice.hpp"

#include <cerrno>
#include <gtest/gtest.h>
#include <string>

namespace {

using postfach::util::advice_for_system_error;

std::string advice(std::error_code ec) {
    return std::string(advice_for_system_error(ec));
}

TEST(system_error_advice, too_many_open_files_says_to_raise_the_limit) {
    // errno as the Maildir reports it (system category) and as std::errc gives it (generic).
    for (const auto ec : {std::error_code(EMFILE, std::system_category()),
                          std::make_error_code(std::errc::too_many_files_open),
                          std::error_code(ENFILE, std::system_category())})
        EXPECT_NE(advice(ec).find("LimitNOFILE="), std::string::npos) << ec.message();
}

TEST(system_error_advice, a_full_disk_or_quota_says_to_free_space) {
    for (const auto ec : {std::error_code(ENOSPC, std::system_category()),
                          std::error_code(EDQUOT, std::generic_category())})
        EXPECT_NE(advice(ec).find("free some space"), std::string::npos) << ec.message();
}

TEST(system_error_advice, permissions_and_read_only_file_systems_have_their_own) {
    EXPECT_NE(advice(std::error_code(EROFS, std::system_category())).find("read-write"),
              std::string::npos);
    EXPECT_NE(advice(std::error_code(EACCES, std::system_category())).find("owns"),
              std::string::npos);
}

TEST(system_error_advice, other_errors_get_none) {
    EXPECT_TRUE(advice(std::make_error_code(std::errc::connection_reset)).empty());
    EXPECT_TRUE(advice(std::error_code()).empty());
    // The same number in a category that is not errno's means something else.
    class other_category final : public std::error_category {
        [[nodiscard]] const char* name() const noexcept override { return "other"; }
        [[nodiscard]] std::string message(int) const override { return "other"; }
    };
    static const other_category other;
    EXPECT_TRUE(advice(std::error_code(EDQUOT, other)).empty());
}

TEST(system_error_advice, the_message_is_followed_by_the_advice_when_there_is_one) {
    const auto full = std::error_code(ENOSPC, std::system_category());
    EXPECT_EQ(postfach::util::message_with_advice(full), full.message() + "; " + advice(full));
    const auto reset = std::make_error_code(std::errc::connection_reset);
    EXPECT_EQ(postfach::util::message_with_advice(reset), reset.message());
}

} // namespace
