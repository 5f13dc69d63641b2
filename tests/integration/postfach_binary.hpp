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
        return run(std::move(args), input);
    }

    // As postfach(), and the peak resident memory of the run in KiB: python's getrusage of its
    // child (the wrapper's own memory is not counted), reported on a last stderr line that is
    // removed here.
    run_output postfach_measured(std::vector<std::string> args, long& peak_rss_kib) {
        static const std::string wrapper =
            "import resource, subprocess, sys\n"
            "code = subprocess.call(sys.argv[1:])\n"
            "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
            "sys.stderr.write('\\npeak-rss-kib %d\\n' % rss)\n"
            "sys.exit(code if code >= 0 else 128 - code)\n";
        args.insert(args.begin(), {"python3", "-c", wrapper, POSTFACH_BINARY});
        auto r = run(std::move(args));
        peak_rss_kib = -1;
        const auto mark = r.err.rfind("\npeak-rss-kib ");
        if (mark != std::string::npos) {
            peak_rss_kib = std::stol(r.err.substr(mark + 14));
            r.err.erase(mark);
        }
        return r;
    }

    // Any program (found in PATH), run as postfach() runs postfach: e.g. a wrapper that sets
    // a limit before it starts postfach.
    run_output run_program(std::vector<std::string> args) { return run(std::move(args)); }

private:
    run_output run(std::vector<std::string> args, const std::string& input = "") {
        util::run_options options;
        options.stdin_data = input;
        options.timeout = std::chrono::seconds(60);
        options.extra_environment = {"HOME=" + dir_.string(),
                                     "XDG_CONFIG_HOME=", "XDG_STATE_HOME=", "STATE_DIRECTORY="};
        util::run_result r;
        EXPECT_FALSE(util::run_process(args, options, r));
        return {r.exit_code, r.out, r.err};
    }

protected:
    temp_dir home_;
    const std::filesystem::path& dir_ = home_.path();
};

} // namespace postfach::test
