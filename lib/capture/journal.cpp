#include "journal.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "pcapng_format.hpp"

namespace sentinel::capture {
namespace {

constexpr std::string_view kApplication = "sentinel";  // shb_userappl: capinfos' "Capture application"

JournalConfig validated(JournalConfig c, const std::vector<JournalInterface>& interfaces, std::size_t producers) {
    const auto fail = [](const std::string& what) { throw std::invalid_argument("capture journal: " + what); };
    if (c.path.empty()) fail("no file name");
    if (interfaces.empty()) fail("no interfaces");
    if (producers == 0 || c.buffers_per_producer == 0) fail("needs at least one producer and one buffer per producer");
    std::uint32_t largest = 0;
    for (const JournalInterface& i : interfaces) {
        if (i.snaplen == 0 || i.snaplen > pcapng::kMaxSnaplen)
            fail("interface " + i.name + ": snaplen " + std::to_string(i.snaplen) + " is outside 1.." +
                 std::to_string(pcapng::kMaxSnaplen));
        largest = std::max(largest, i.snaplen);
    }
    const std::size_t smallest = align_up(pcapng::enhanced_packet_size(largest) + pcapng::kMinFillerSize);
    if (c.buffer_bytes % kBlockAlign != 0 || c.buffer_bytes < smallest)
        fail("buffers of " + std::to_string(c.buffer_bytes) + " bytes: need a multiple of " +
             std::to_string(kBlockAlign) + " that holds a snaplen packet, at least " + std::to_string(smallest));
    if (c.memory == nullptr) c.memory = std::pmr::new_delete_resource();
    if (!c.producer_memory.empty() && c.producer_memory.size() != producers)
        fail(std::to_string(c.producer_memory.size()) + " producer memory resources for " + std::to_string(producers) +
             " producers");
    c.producer_memory.resize(producers, nullptr);
    for (std::pmr::memory_resource*& m : c.producer_memory)
        if (m == nullptr) m = c.memory;
    return c;
}

std::uint64_t wall_clock_ns() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

std::vector<std::byte> statistics_blocks(std::span<const InterfaceStats> stats, std::uint64_t timestamp_ns) {
    std::vector<std::byte> blocks;
    for (std::size_t i = 0; i < stats.size(); ++i)
        pcapng::append_interface_statistics(blocks, static_cast<std::uint32_t>(i), timestamp_ns, stats[i].received,
                                            stats[i].dropped);
    return blocks;
}

// Copies `blocks` to `at` and seals them; `at` has align_up(size + kMinFillerSize) bytes of room.
std::span<std::byte> place(const std::vector<std::byte>& blocks, std::byte* at) {
    std::memcpy(at, blocks.data(), blocks.size());
    return {at, seal(at, blocks.size())};
}

}  // namespace

Journal::Journal(JournalConfig config, std::vector<JournalInterface> interfaces, std::size_t producers)
    : config_(validated(std::move(config), interfaces, producers)),
      interfaces_(std::move(interfaces)),
      writer_(config_, producers),
      // Twice the buffers: the writer returns a buffer before its batch ends and moves the ring's
      // sequence, so a producer may publish a reused buffer while its old slot still counts.
      hand_off_(2 * std::bit_ceil(producers * config_.buffers_per_producer)) {
    std::vector<std::byte> header;
    pcapng::append_section_header(header, kApplication);
    const std::uint32_t snaplen = std::ranges::max(interfaces_, {}, &JournalInterface::snaplen).snaplen;
    for (const JournalInterface& i : interfaces_) pcapng::append_interface_description(header, i.name, snaplen);
    const std::vector<InterfaceStats> no_stats(interfaces_.size(), InterfaceStats{0, 0});
    const std::size_t header_room = align_up(header.size() + pcapng::kMinFillerSize);
    const std::size_t trailer_room = align_up(statistics_blocks(no_stats, 0).size() + pcapng::kMinFillerSize);
    const std::size_t k = config_.buffers_per_producer;
    // Every page faulted in now, not by the first packets on a capture lcore.
    const auto allocate = [](std::pmr::memory_resource* memory, std::size_t bytes) {
        Storage s{static_cast<std::byte*>(memory->allocate(bytes, kBlockAlign)), Release{memory, bytes}};
        std::memset(s.get(), 0, bytes);
        return s;
    };
    ends_ = allocate(config_.memory, header_room + trailer_room);
    header_ = place(header, ends_.get());
    trailer_ = {ends_.get() + header_room, trailer_room};
    buffers_.reserve(producers * k);
    for (std::size_t p = 0; p < producers; ++p) {
        std::byte* data = producer_storage_.emplace_back(allocate(config_.producer_memory[p], k * config_.buffer_bytes)).get();
        for (std::size_t i = 0; i < k; ++i)
            buffers_.push_back({.data = data + i * config_.buffer_bytes,
                                .capacity = config_.buffer_bytes,
                                .returned = nullptr,
                                .producer = static_cast<std::uint32_t>(p)});
    }
    for (std::size_t p = 0; p < producers; ++p)
        producers_.push_back(std::make_unique<JournalProducer>(hand_off_, std::span(buffers_).subspan(p * k, k),
                                                               writer_.failed_flag(), config_.hand_off_bytes));

    writer_.open(header_);
    hand_off_.handle_events_with(writer_);
    hand_off_.start();
}

Journal::~Journal() {
    if (!closed_) stop({});
}

JournalProducer& Journal::producer(std::size_t i) {
    if (i >= producers_.size())
        throw std::out_of_range("capture journal: producer " + std::to_string(i) + " of " +
                                std::to_string(producers_.size()));
    return *producers_[i];
}

void Journal::close(std::span<const InterfaceStats> stats) {
    if (closed_) throw std::logic_error("capture journal: closed twice");
    if (stats.size() != interfaces_.size())
        throw std::invalid_argument("capture journal: statistics for " + std::to_string(stats.size()) +
                                    " interfaces, the journal has " + std::to_string(interfaces_.size()));
    stop(place(statistics_blocks(stats, wall_clock_ns()), trailer_.data()));
}

void Journal::drain() noexcept {
    if (drained_) return;
    for (const auto& p : producers_) p->flush();
    hand_off_.drain_and_halt();
    drained_ = true;
}

void Journal::stop(std::span<const std::byte> trailer) noexcept {
    drain();
    writer_.finish(trailer);
    closed_ = true;
}

}  // namespace sentinel::capture
