#include "util/json_text.hpp"

#include <gtest/gtest.h>

namespace postfach::util {
namespace {

TEST(json_quote, escapes_quotes_backslashes_and_control_characters) {
    EXPECT_EQ(json_quote(""), "\"\"");
    EXPECT_EQ(json_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(json_quote("line\nnext\ttab\r"), "\"line\\nnext\\ttab\\r\"");
    EXPECT_EQ(json_quote(std::string_view("\x01\x1f\x7f", 3)), "\"\\u0001\\u001f\\u007f\"");
}

TEST(json_quote, passes_utf8_through) {
    EXPECT_EQ(json_quote("Entwürfe"), "\"Entwürfe\"");
}

} // namespace
} // namespace postfach::util
