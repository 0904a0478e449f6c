#include "screener/proposal.hpp"

#include <functional>
#include <utility>

namespace screener {

namespace {
constexpr unsigned offset_bits = 40;  // arenas up to 1 TiB
constexpr std::uint64_t offset_mask = (std::uint64_t{1} << offset_bits) - 1;

std::uint64_t tag_of(std::size_t hash) { return (static_cast<std::uint64_t>(hash) >> offset_bits) << offset_bits; }
}  // namespace

std::string_view IdSet::at(std::uint64_t offset) const {
    std::size_t length = 0;
    for (unsigned shift = 0;; shift += 7) {
        const auto byte = static_cast<unsigned char>(arena_[offset++]);
        length |= static_cast<std::size_t>(byte & 0x7f) << shift;
        if (byte < 0x80) break;
    }
    return {arena_.data() + offset, length};
}

bool IdSet::first(std::string_view id) {
    if (id.empty()) return true;
    if (2 * (size_ + 1) > slots_.size()) grow();  // at most half full, so probes stay short
    const std::size_t hash = std::hash<std::string_view>{}(id);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        const std::uint64_t slot = slots_[i];
        if (slot == 0) {
            slots_[i] = tag_of(hash) | (arena_.size() + 1);
            for (std::size_t length = id.size(); ; length >>= 7) {
                arena_ += static_cast<char>((length & 0x7f) | (length > 0x7f ? 0x80 : 0));
                if (length <= 0x7f) break;
            }
            arena_ += id;
            ++size_;
            return true;
        }
        if ((slot & ~offset_mask) == tag_of(hash) && at((slot & offset_mask) - 1) == id) return false;
    }
}

void IdSet::prefetch(std::string_view id) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[std::hash<std::string_view>{}(id) & (slots_.size() - 1)]);
}

void IdSet::grow() {
    std::vector<std::uint64_t> old = std::exchange(slots_, std::vector<std::uint64_t>(slots_.empty() ? 1024 : 2 * slots_.size()));
    const std::size_t mask = slots_.size() - 1;
    for (std::uint64_t slot : old) {
        if (slot == 0) continue;
        std::size_t i = std::hash<std::string_view>{}(at((slot & offset_mask) - 1)) & mask;
        while (slots_[i] != 0) i = (i + 1) & mask;
        slots_[i] = slot;
    }
}

}  // namespace screener
