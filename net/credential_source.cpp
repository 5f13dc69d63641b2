#include "net/credential_source.hpp"

#include "net/credential_errc.hpp"
#include "util/subprocess.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <sys/stat.h>

namespace postfach::net {

namespace {

// A secret is one line; a command may print more (e.g. `pass` prints metadata after it).
std::string first_line(std::string_view text) {
    auto line = text.substr(0, text.find('\n'));
    if (line.ends_with('\r'))
        line.remove_suffix(1);
    return std::string(line);
}

// The would-be secret may show up in the command line or its stderr: mask it in the message.
std::string masked(std::string text, std::string_view secret) {
    if (!secret.empty())
        for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
            text.replace(at, secret.size(), "***");
    return text;
}

// stderr of a credential command, for a message: trimmed, bounded, and control characters
// replaced so it cannot forge terminal output.
std::string quote_stderr(std::string_view err) {
    std::string text(err);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.pop_back();
    constexpr std::size_t limit = 1000;
    if (text.size() > limit)
        text = text.substr(0, limit) + "...";
    for (auto& c : text)
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n')
            c = '?';
    return text.empty() ? std::string("(nothing on stderr)") : "stderr: " + text;
}

std::error_code read_password_file(const std::filesystem::path& file, secret_string& secret,
                                   std::string& diagnostics) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
        diagnostics = fmt::format("password_file {}: {}", file.string(), std::strerror(errno));
        return credential_errc::file_unreadable;
    }
    if (!S_ISREG(st.st_mode)) {
        diagnostics = fmt::format("password_file {} is not a regular file", file.string());
        return credential_errc::file_unreadable;
    }
    // Like ssh with private keys: any access for group or others is refused, not just reading,
    // because whoever can write the file can swap the password.
    if ((st.st_mode & 077) != 0) {
        diagnostics = fmt::format("password_file {} is accessible by other users (mode {:03o}); "
                                  "run: chmod 600 {}",
                                  file.string(), st.st_mode & 0777, file.string());
        return credential_errc::file_too_permissive;
    }
    std::ifstream in(file, std::ios::binary);
    const std::string content((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    if (!in.is_open() || in.bad()) {
        diagnostics = fmt::format("password_file {}: cannot read it", file.string());
        return credential_errc::file_unreadable;
    }
    auto line = first_line(content);
    if (line.empty()) {
        diagnostics = fmt::format("password_file {}: the first line is empty", file.string());
        return credential_errc::empty_secret;
    }
    secret = secret_string(std::move(line));
    return {};
}

std::error_code run_command(const config::secret_source& source, std::string& candidate,
                            secret_string& secret, std::string& diagnostics,
                            const credential_options& options) {
    const auto key = config::to_string(source.source);
    const auto shown = fmt::format("{} '{}'", key, fmt::join(source.command, " "));
    util::run_options run;
    run.timeout = options.command_timeout;
    run.max_output = 64 * 1024;
    util::run_result result;
    const auto ec = util::run_process(source.command, run, result);
    candidate = first_line(result.out);
    const auto& line = candidate;
    if (ec == std::errc::argument_list_too_long) {
        diagnostics = fmt::format("{} wrote more than {} bytes", shown, run.max_output);
        return credential_errc::command_output_too_large;
    }
    if (ec) {
        diagnostics = fmt::format("{}: cannot run it: {}", shown, ec.message());
        return credential_errc::command_not_started;
    }
    if (result.timed_out) {
        diagnostics = fmt::format("{} did not finish within {} ms and was killed; {}", shown,
                                  options.command_timeout.count(), quote_stderr(result.err));
        return credential_errc::command_timed_out;
    }
    if (!result.succeeded()) {
        diagnostics = fmt::format("{} {}; {}", shown, result.describe_end(run.timeout),
                                  quote_stderr(result.err));
        return credential_errc::command_failed;
    }
    if (line.empty()) {
        diagnostics =
            fmt::format("{} printed an empty first line; {}", shown, quote_stderr(result.err));
        return credential_errc::empty_secret;
    }
    secret = secret_string(line);
    return {};
}

std::error_code run_secret_command(const config::secret_source& source, secret_string& secret,
                                   std::string& diagnostics, const credential_options& options) {
    std::string candidate;
    const auto ec = run_command(source, candidate, secret, diagnostics, options);
    diagnostics = masked(std::move(diagnostics), candidate);
    return ec;
}

} // namespace

std::error_code resolve_secret(const config::secret_source& source, secret_string& secret,
                               std::string& diagnostics, const credential_options& options) {
    secret = {};
    diagnostics.clear();
    switch (source.source) {
    case config::secret_source::kind::password:
        if (source.password.empty()) {
            diagnostics = "password is empty";
            return credential_errc::empty_secret;
        }
        secret = source.password;
        return {};
    case config::secret_source::kind::password_file:
        return read_password_file(source.file, secret, diagnostics);
    case config::secret_source::kind::password_command:
    case config::secret_source::kind::oauth2_token_command:
        return run_secret_command(source, secret, diagnostics, options);
    }
    return credential_errc::empty_secret;
}

} // namespace postfach::net
