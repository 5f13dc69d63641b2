// The documentation keeps up with the code: every command of the command table has its
// section in postfach(1) and is offered by both shell completions, and every key the
// configuration loader accepts is described in postfach.yaml(5).

#include "daemon/command_line.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <regex>
#include <set>
#include <sstream>

namespace postfach {
namespace {

std::string source_file(const std::string& relative) {
    std::ifstream in(std::string(POSTFACH_SOURCE_DIR) + "/" + relative);
    EXPECT_TRUE(in) << relative;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The keys the loader accepts: the string literals of the key lists it passes to mapping(),
// read from its source, so a key added there without documentation fails this test.
std::set<std::string> loader_keys() {
    const auto source = source_file("config/config_loader.cpp");
    std::set<std::string> keys;
    const std::regex call(R"(mapping\([^{;]*\{([^}]*)\})");
    const std::regex literal("\"([a-z0-9_]+)\"");
    for (std::sregex_iterator m(source.begin(), source.end(), call), end; m != end; ++m) {
        const std::string list = (*m)[1];
        for (std::sregex_iterator k(list.begin(), list.end(), literal); k != end; ++k)
            keys.insert((*k)[1]);
    }
    return keys;
}

TEST(man_pages, every_command_has_a_section_in_postfach_1) {
    const auto page = source_file("man/postfach.1");
    const auto names = command_names();
    ASSERT_FALSE(names.empty());
    for (const auto& name : names)
        EXPECT_NE(page.find("\n.SS " + name + "\n"), std::string::npos) << name;
}

TEST(man_pages, every_configuration_key_is_described_in_postfach_yaml_5) {
    const auto page = source_file("man/postfach.yaml.5");
    const auto keys = loader_keys();
    EXPECT_GT(keys.size(), 30u) << "the loader's key lists were not found";
    for (const auto& key : keys)
        EXPECT_NE(page.find("\n.B " + key + "\n"), std::string::npos) << key;
}

TEST(completions, offer_every_command) {
    const auto bash = source_file("completions/postfach.bash");
    const auto zsh = source_file("completions/_postfach");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(bash, m, std::regex("local commands=\"([^\"]*)\"")));
    const std::string bash_commands = " " + m[1].str() + " ";
    for (const auto& name : command_names()) {
        EXPECT_NE(bash_commands.find(" " + name + " "), std::string::npos) << "bash: " << name;
        EXPECT_NE(zsh.find("'" + name + ":"), std::string::npos) << "zsh: " << name;
    }
}

} // namespace
} // namespace postfach
