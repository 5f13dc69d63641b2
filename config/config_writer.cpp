#include "config/config_writer.hpp"

#include <yaml-cpp/yaml.h>

namespace postfach::config {

std::string render_config(const std::vector<account_draft>& accounts, const std::string& comment) {
    YAML::Emitter out;
    out.SetIndent(2);
    if (!comment.empty())
        out << YAML::Comment(comment) << YAML::Newline;
    out << YAML::BeginMap << YAML::Key << "accounts" << YAML::Value << YAML::BeginSeq;
    for (const auto& a : accounts) {
        out << YAML::BeginMap;
        out << YAML::Key << "name" << YAML::Value << a.name;
        out << YAML::Key << "maildir" << YAML::Value << a.maildir;
        out << YAML::Key << "layout" << YAML::Value << std::string(to_string(a.layout));
        out << YAML::Key << "protocol" << YAML::Value << std::string(to_string(a.protocol));
        out << YAML::Key << (a.server == server_kind::imap ? "imap" : "pop3") << YAML::Value
            << YAML::BeginMap;
        out << YAML::Key << "host" << YAML::Value << a.host;
        if (a.port != 0)
            out << YAML::Key << "port" << YAML::Value << a.port;
        out << YAML::Key << "tls" << YAML::Value << std::string(to_string(a.tls));
        if (a.ca_file)
            out << YAML::Key << "ca_file" << YAML::Value << *a.ca_file;
        out << YAML::Key << "user" << YAML::Value << a.user;
        out << YAML::Key << std::string(to_string(a.secret)) << YAML::Value << a.secret_value;
        out << YAML::EndMap;
        out << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

} // namespace postfach::config
