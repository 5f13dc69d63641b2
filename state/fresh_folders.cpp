#include "state/fresh_folders.hpp"

#include <functional>
#include <string_view>

namespace postfach::state {
namespace {

// 2^20 bits, three per id: with the 40,000 ids of 20,000 records "maybe" for ~0.13% of the
// others, with 200,000 ~9%.
constexpr unsigned bit_index_bits = 20;
constexpr std::uint64_t bit_index_mask = (std::uint64_t{1} << bit_index_bits) - 1;
constexpr std::size_t filter_words = (std::size_t{1} << bit_index_bits) / 64;

// The three bits of a key: its bits 0-19, 21-40 and 42-61.
template <typename Visit>
void for_each_bit(std::uint64_t key, Visit visit) {
    for (unsigned shift = 0; shift < 3 * (bit_index_bits + 1); shift += bit_index_bits + 1) {
        const auto bit = (key >> shift) & bit_index_mask;
        visit(bit / 64, std::uint64_t{1} << (bit % 64));
    }
}

// splitmix64's finalizer: every input bit moves about half of the output bits.
std::uint64_t mix(std::uint64_t x) {
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

} // namespace

bool fresh_folders::seen(std::int64_t folder_id) const {
    return seen_empty_.contains(folder_id);
}

void fresh_folders::note_seen(std::int64_t folder_id, bool empty) {
    seen_empty_[folder_id] = empty;
}

bool fresh_folders::may_share(std::int64_t folder_id, const std::optional<std::uint32_t>& uid,
                              const std::optional<std::string>& base_name) const {
    const auto it = seen_empty_.find(folder_id);
    if (it == seen_empty_.end() || !it->second)
        return true;
    return (uid && maybe_put(key(folder_id, *uid))) ||
           (base_name && maybe_put(key(folder_id, *base_name)));
}

void fresh_folders::note_put(std::int64_t folder_id, const std::optional<std::uint32_t>& uid,
                             const std::optional<std::string>& base_name) {
    const auto it = seen_empty_.find(folder_id);
    if (it == seen_empty_.end() || !it->second)
        return;
    if (uid)
        add(key(folder_id, *uid));
    if (base_name)
        add(key(folder_id, *base_name));
}

void fresh_folders::forget_all() {
    seen_empty_.clear(); // the filter's bits may stay: they only ever add "maybe"s
}

std::uint64_t fresh_folders::key(std::int64_t folder_id, std::uint32_t uid) {
    return mix((static_cast<std::uint64_t>(folder_id) << 32 | uid) ^ 0x5555555555555555ULL);
}

std::uint64_t fresh_folders::key(std::int64_t folder_id, const std::string& base_name) {
    return mix(std::hash<std::string_view>{}(base_name) ^ static_cast<std::uint64_t>(folder_id));
}

bool fresh_folders::maybe_put(std::uint64_t key) const {
    if (filter_bits_.empty())
        return false;
    bool all = true;
    for_each_bit(key, [&](std::size_t word, std::uint64_t mask) {
        all = all && (filter_bits_[word] & mask) != 0;
    });
    return all;
}

void fresh_folders::add(std::uint64_t key) {
    if (filter_bits_.empty())
        filter_bits_.resize(filter_words);
    for_each_bit(key, [this](std::size_t word, std::uint64_t mask) { filter_bits_[word] |= mask; });
}

} // namespace postfach::state
