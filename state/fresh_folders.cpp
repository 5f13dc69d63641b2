#include "state/fresh_folders.hpp"

#include <functional>
#include <string_view>

namespace postfach::state {
namespace {

// 2^20 bits, three per base name: for 20,000 names "maybe" for ~0.02% of the others, for
// 100,000 ~1.5%.
constexpr unsigned bit_index_bits = 20;
constexpr std::uint64_t bit_index_mask = (std::uint64_t{1} << bit_index_bits) - 1;
constexpr std::size_t filter_words = (std::size_t{1} << bit_index_bits) / 64;

template <typename Visit>
void for_each_bit(std::uint64_t key, Visit visit) {
    for (unsigned shift = 0; shift < 3 * (bit_index_bits + 1); shift += bit_index_bits + 1) {
        const auto bit = (key >> shift) & bit_index_mask;
        visit(bit / 64, std::uint64_t{1} << (bit % 64));
    }
}

} // namespace

bool fresh_folders::seen(std::int64_t folder_id) const {
    return folders_.contains(folder_id);
}

void fresh_folders::note_seen(std::int64_t folder_id, bool empty) {
    folders_[folder_id] = folder{.seen_empty = empty, .largest_uid = std::nullopt};
}

bool fresh_folders::may_share(std::int64_t folder_id, const std::optional<std::uint32_t>& uid,
                              const std::optional<std::string>& base_name) const {
    const auto it = folders_.find(folder_id);
    if (it == folders_.end() || !it->second.seen_empty)
        return true;
    const auto& largest = it->second.largest_uid;
    if (uid && largest && *uid <= *largest)
        return true;
    return base_name && maybe_put(key(folder_id, *base_name));
}

void fresh_folders::note_put(std::int64_t folder_id, const std::optional<std::uint32_t>& uid,
                             const std::optional<std::string>& base_name) {
    const auto it = folders_.find(folder_id);
    if (it == folders_.end() || !it->second.seen_empty)
        return;
    auto& largest = it->second.largest_uid;
    if (uid && (!largest || *uid > *largest))
        largest = uid;
    if (!base_name)
        return;
    if (base_name_bits_.empty())
        base_name_bits_.resize(filter_words);
    for_each_bit(key(folder_id, *base_name),
                 [this](std::size_t word, std::uint64_t mask) { base_name_bits_[word] |= mask; });
}

void fresh_folders::forget_all() {
    folders_.clear(); // the filter's bits may stay: they only ever add "maybe"s
}

std::uint64_t fresh_folders::key(std::int64_t folder_id, const std::string& base_name) {
    const auto name_hash = std::hash<std::string_view>{}(base_name);
    return name_hash ^ (static_cast<std::uint64_t>(folder_id) * 0x9E3779B97F4A7C15ULL);
}

bool fresh_folders::maybe_put(std::uint64_t key) const {
    if (base_name_bits_.empty())
        return false;
    bool all = true;
    for_each_bit(key, [&](std::size_t word, std::uint64_t mask) {
        all = all && (base_name_bits_[word] & mask) != 0;
    });
    return all;
}

} // namespace postfach::state
