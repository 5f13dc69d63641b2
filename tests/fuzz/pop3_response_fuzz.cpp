// Fuzzes the POP3 response parser: any input, with a fuzzer-chosen expected kind and split
// point, must give responses or an error, and message_sink calls that follow the contract.

#include "pop3/response_parser.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

using namespace postfach::pop3;

// Checks the message_sink contract: begin, data, end; the octets add up.
class checking_sink final : public message_sink {
public:
    void begin() override {
        if (open_)
            std::abort();
        open_ = true;
        octets = 0;
    }
    void data(std::string_view chunk) override {
        if (!open_ || chunk.empty())
            std::abort();
        octets += chunk.size();
    }
    void end() override {
        if (!open_)
            std::abort();
        open_ = false;
        ended = true;
    }
    std::uint64_t octets = 0;
    bool ended = false;

private:
    bool open_ = false;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2)
        return 0;
    const auto kind = static_cast<response_kind>(data[0] % 9);
    std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
    const std::size_t cut = input.empty() ? 0 : data[1] % (input.size() + 1);
    parser_limits limits;
    limits.max_message_size = 4096;
    limits.max_listing_entries = 64;
    checking_sink sink;
    response_parser parser(limits);
    parser.expect(kind, "FUZZ", &sink);
    for (auto chunk : {input.substr(0, cut), input.substr(cut)}) {
        while (!chunk.empty()) {
            std::error_code ec;
            const auto before = chunk.size();
            auto r = parser.consume(chunk, ec);
            if (ec)
                return 0;
            if (r && kind == response_kind::message && r->ok() &&
                (!sink.ended || sink.octets != r->message_octets))
                std::abort();
            sink.ended = false;
            if (!r && chunk.size() == before)
                std::abort(); // no progress without a response
        }
    }
    return 0;
}
