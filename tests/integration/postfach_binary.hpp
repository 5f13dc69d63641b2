#pragma once
// Runs the built postfach binary as a user would, in a temp HOME, for integration tests.

#include "tests/unit/support/temp_dir.hpp"
#include "util/subprocess.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace postfach::test {

struct run_output {
    int exit_code;
    std::string out;
    std::string err;
};

// A fresh HOME per test (removed afterwards); config files are written there.
class postfach_binary_test : public ::testing::Test {
protected:
    std::filesystem::path write_config(const std::string& text) {
        const auto path = dir_ / "config.yaml";
        std::ofstream(path) << text;
        return path;
    }

    // `input` is the child's stdin (closed after it).
    run_output postfach(std::vector<std::string> args, const std::string& input = "") {
        args.insert(args.begin(), POSTFACH_BINARY);
        util::run_options options;
        options.stdin_data = input;
        options.timeout = std::chrono::seconds(60);
        options.extra_environment = {"HOME=" + dir_.string(),
                                     "XDG_CONFIG_HOME=", "XDG_STATE_HOME=", "STATE_DIRECTORY="};
        util::run_result r;
        EXPECT_FALSE(util::run_process(args, options, r));
        return {r.exit_code, r.out, r.err};
    }

    temp_dir home_;
    const std::filesystem::path& dir_ = home_.path();
};

} // namespace postfach::test
