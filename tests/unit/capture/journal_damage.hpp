#pragma once
// Test support for journal_check and journal_repair: closed journals whose packets are known one
// by one, damage done to them in place, and the comparison of a repaired file with the original
// minus exactly the packets the damage took, through capture_test_support's own pcapng reader.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "capture/journal.hpp"
#include "capture_test_support.hpp"

namespace sentinel::capture::test {

inline const std::vector<JournalInterface> kTwoInterfaces{{"port0", 1514}, {"port1", 1514}};

// A closed journal of `packets` packets of 200..1199 bytes, alternating between two interfaces;
// sequence numbers from `first` on, so that two journals hold different packets.
inline void write_journal(const std::string& path, std::uint64_t packets, std::uint64_t first = 0) {
    Journal journal({.path = path, .buffer_bytes = 64 << 10}, kTwoInterfaces, 1);
    for (std::uint64_t seq = first; seq < first + packets; ++seq) {
        const auto size = static_cast<std::uint32_t>(200 + seq % 1000);
        ASSERT_TRUE(write_packet(journal.producer(0), seq % 2, packet_timestamp(0, seq), size, size));
    }
    const std::vector<InterfaceStats> stats(2, InterfaceStats{packets, 0});
    journal.close(stats);
}

inline void append(const std::string& path, const std::vector<std::byte>& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::app).write(reinterpret_cast<const char*>(bytes.data()),
                                                                 static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<std::byte> words(std::initializer_list<std::uint32_t> values) {
    std::vector<std::byte> out(values.size() * 4);
    std::memcpy(out.data(), values.begin(), out.size());
    return out;
}

// Overwrites bytes in place, as a disk or a stray write would.
inline void overwrite(const std::string& path, std::uint64_t at, const std::vector<std::byte>& bytes) {
    std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(at));
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(f.good()) << path;
}

// `n` bytes of a fixed pseudo-random sequence: garbage, the same in every run.
inline std::vector<std::byte> garbage(std::size_t n, std::uint32_t seed = 12345) {
    std::vector<std::byte> out(n);
    for (std::byte& b : out) {
        seed = seed * 1664525u + 1013904223u;
        b = static_cast<std::byte>(seed >> 24);
    }
    return out;
}

// Where the block of packet i starts: its data follows the EPB's 28 bytes of fixed fields.
inline std::uint64_t block_of(const PcapngFile& file, std::size_t i) { return file.packets.at(i).data - 28; }

// The repaired file holds the original's packets but for the indexes in `lost`, in order, each
// with its interface, timestamp, lengths and every byte the same.
inline void expect_survivors(const PcapngFile& original, const std::set<std::size_t>& lost, const std::string& repaired) {
    const PcapngFile after = read_pcapng(repaired);
    EXPECT_EQ(after.error, "") << repaired;
    ASSERT_EQ(after.packets.size(), original.packets.size() - lost.size()) << repaired;
    std::size_t j = 0;
    for (std::size_t i = 0; i < original.packets.size(); ++i) {
        if (lost.contains(i)) continue;
        const Packet& want = original.packets[i];
        const Packet& got = after.packets[j++];
        ASSERT_EQ(got.timestamp, want.timestamp) << "packet " << i << " of the original";
        ASSERT_EQ(got.interface, want.interface) << i;
        ASSERT_EQ(got.captured, want.captured) << i;
        ASSERT_EQ(got.original, want.original) << i;
        ASSERT_EQ(std::memcmp(&after.bytes[got.data], &original.bytes[want.data], want.captured), 0) << i;
        ASSERT_EQ(first_wrong_byte(after, got), -1) << i;
    }
}

inline std::set<std::size_t> range(std::size_t first, std::size_t last) {
    std::set<std::size_t> out;
    for (std::size_t i = first; i <= last; ++i) out.insert(i);
    return out;
}

}  // namespace sentinel::capture::test
