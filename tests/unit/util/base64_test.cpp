#include "util/base64.hpp"

#include <gtest/gtest.h>

namespace postfach::util {
namespace {

TEST(base64, encodes_rfc4648_vectors) {
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
    EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(base64, encodes_binary_bytes) {
    EXPECT_EQ(base64_encode(std::string("\0\xff\xfe", 3)), "AP/+");
    EXPECT_EQ(base64_encode(std::string("\0alice\0secret", 13)), "AGFsaWNlAHNlY3JldA==");
}

TEST(base64, decodes_what_it_encodes) {
    for (const std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"})
        EXPECT_EQ(base64_decode(base64_encode(s)), s);
    EXPECT_EQ(base64_decode("AP/+"), std::string("\0\xff\xfe", 3));
    EXPECT_EQ(base64_decode("VXNlcm5hbWU6"), "Username:");
}

TEST(base64, rejects_malformed_input) {
    EXPECT_FALSE(base64_decode("Zg="));  // length not a multiple of 4
    EXPECT_FALSE(base64_decode("Zg"));   // missing padding
    EXPECT_FALSE(base64_decode("Z===")); // three padding characters
    EXPECT_FALSE(base64_decode("===="));
    EXPECT_FALSE(base64_decode("Zg==Zg==")); // padding in the middle
    EXPECT_FALSE(base64_decode("Zm=v"));
    EXPECT_FALSE(base64_decode("=m9v"));
    EXPECT_FALSE(base64_decode("Zm9v\r\n")); // whitespace is not skipped
    EXPECT_FALSE(base64_decode("Zm9-"));     // URL-safe alphabet is not base64
    EXPECT_FALSE(base64_decode("Zh=="));     // non-zero bits under the padding
    EXPECT_FALSE(base64_decode("Zm9="));
}

} // namespace
} // namespace postfach::util
