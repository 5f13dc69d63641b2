#pragma once
// Test names for suites parameterised by the folder layout: ".../maildir_plus_plus",
// ".../verbatim".

#include "maildir/folder_layout.hpp"

#include <gtest/gtest.h>
#include <string>

namespace postfach::maildir::testing {

inline std::string layout_name(const ::testing::TestParamInfo<layout_kind>& param) {
    return param.param == layout_kind::verbatim ? "verbatim" : "maildir_plus_plus";
}

} // namespace postfach::maildir::testing
