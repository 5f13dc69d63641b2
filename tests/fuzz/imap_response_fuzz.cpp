// Fuzzes the IMAP response parser: any input, split at a fuzzer-chosen point, must give
// responses or an error, within the limits, and body sink calls that add up.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "imap/response_parser.hpp"

namespace {

using namespace postfach::imap;

// Checks the body_sink contract: begin, data adding up to the size, end.
class checking_sink final : public body_sink {
public:
    void begin(const body_section_header& header) override {
        if (open_)
            std::abort();
        open_ = true;
        remaining_ = header.size;
    }
    void data(std::string_view chunk) override {
        if (!open_ || chunk.size() > remaining_)
            std::abort();
        remaining_ -= chunk.size();
    }
    void end() override {
        if (!open_ || remaining_ != 0)
            std::abort();
        open_ = false;
    }

private:
    bool open_ = false;
    std::uint64_t remaining_ = 0;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    // Small limits, so the fuzzer reaches them.
    parser_limits limits;
    limits.max_line_size = 512;
    limits.max_literal_size = 4096;
    limits.max_response_size = 8192;
    limits.max_nesting_depth = 8;
    checking_sink sink;
    response_parser parser(limits);
    parser.set_body_sink(&sink);

    const std::string_view all(reinterpret_cast<const char*>(data) + 1, size - 1);
    const auto cut = std::min<std::size_t>(data[0], all.size());
    for (auto chunk : {all.substr(0, cut), all.substr(cut)}) {
        while (!chunk.empty()) {
            std::error_code ec;
            const auto before = chunk.size();
            parser.consume(chunk, ec);
            if (ec)
                return 0;
            if (chunk.size() == before)
                std::abort(); // no progress: would loop forever
        }
    }
    return 0;
}
