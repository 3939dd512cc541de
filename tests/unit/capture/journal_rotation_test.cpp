// File rotation: by size and by time, numbered names, max_files keeping the newest.
//   FORBIDDEN: a packet missing from, or in two of, the rotated files
//   FORBIDDEN: a rotated file tshark cannot read on its own, or one past rotate_bytes but its first buffer
//   FORBIDDEN: with journal_sizing's buffers, a file but the last more than 10% short of rotate_bytes

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "capture/journal.hpp"
#include "capture/journal_check.hpp"
#include "capture/journal_sizing.hpp"
#include "capture_test_support.hpp"

namespace sentinel::capture {
namespace {

using namespace test;
using namespace std::chrono_literals;

const std::vector<JournalInterface> kInterfaces{{"port0", 1514}};
constexpr std::size_t kBuffer = 64 << 10;

// Writes `packets` 1000-byte packets, numbered from `first`, flushing every `per_buffer`.
void write(JournalProducer& p, std::uint64_t first, std::uint64_t packets, std::uint64_t per_buffer = 60) {
    for (std::uint64_t seq = first; seq < first + packets; ++seq) {
        ASSERT_TRUE(write_packet(p, 0, packet_timestamp(0, seq), 1000, 1000));
        if ((seq + 1) % per_buffer == 0) p.flush();
    }
}

void close(Journal& journal) {
    const std::vector<InterfaceStats> stats{{0, 0}};
    journal.close(stats);
}

TEST(JournalRotation, NamesFilesWithANumberBeforeTheExtension) {
    JournalConfig c{.path = "/data/cap.pcapng", .rotate_bytes = 1};
    EXPECT_EQ(JournalWriter::file_path(c, 1), "/data/cap_00001.pcapng");
    EXPECT_EQ(JournalWriter::file_path(c, 123456), "/data/cap_123456.pcapng");
    c.path = "capture";
    EXPECT_EQ(JournalWriter::file_path(c, 2), "capture_00002");
    c.rotate_bytes = 0;
    EXPECT_EQ(JournalWriter::file_path(c, 1), "capture") << "no rotation: the path itself";
}

TEST(JournalRotation, BySizeSplitsThePacketsOverNumberedFiles) {
    TempDir dir;
    const std::uint64_t limit = 256 << 10;
    Journal journal({.path = dir / "cap.pcapng", .rotate_bytes = limit, .buffer_bytes = kBuffer}, kInterfaces, 1);
    write(journal.producer(0), 0, 2000);
    close(journal);
    ASSERT_EQ(journal.error(), "");
    const std::uint32_t files = journal.files();
    EXPECT_GE(files, 8u);

    std::uint64_t next = 0;
    for (std::uint32_t n = 1; n <= files; ++n) {
        const std::string path = JournalWriter::file_path({.path = dir / "cap.pcapng", .rotate_bytes = limit}, n);
        SCOPED_TRACE(path);
        const PcapngFile file = read_pcapng(path);
        ASSERT_EQ(file.error, "");
        ASSERT_EQ(file.interfaces.size(), 1u) << "every file has its own header";
        for (const Packet& p : file.packets) ASSERT_EQ(p.timestamp, packet_timestamp(0, next++)) << "in order, once";
        EXPECT_EQ(tshark_frames(path).size(), file.packets.size());
        EXPECT_EQ(check_journal(path).verdict, JournalCheck::Verdict::ok);
        if (n < files) {
            EXPECT_LE(std::filesystem::file_size(path), limit);
        }
        EXPECT_EQ(file.statistics.size(), n == files ? 1u : 0u) << "statistics close the last file only";
    }
    EXPECT_EQ(next, 2000u);
    EXPECT_FALSE(std::filesystem::exists(dir / "cap.pcapng"));
}

// What the appliance asks for with --rotate-size N and the default --snaplen: files within 10%
// of N from 1 MiB up (buffers of N / 2 made them half of it), and every buffer holding a snaplen
// packet. Frames of 64 to 1514 bytes from two producers, as a link mixes them.
TEST(JournalRotation, SizedBuffersKeepFilesWithinATenthOfTheRotateSize) {
    constexpr std::uint32_t kSnaplen = 262144;
    for (const std::uint64_t rotate : {1ull << 20, 2ull << 20, 4ull << 20, 8ull << 20}) {
        SCOPED_TRACE(std::to_string(rotate >> 20) + " MiB");
        const JournalSizing size = journal_sizing(rotate, kSnaplen);
        EXPECT_GE(size.buffer_bytes, smallest_rotate_bytes(kSnaplen) - kBlockAlign) << "room for a snaplen packet";
        TempDir dir;
        const JournalConfig config{.path = dir / "cap.pcapng", .rotate_bytes = rotate,
                                   .buffer_bytes = size.buffer_bytes, .hand_off_bytes = size.hand_off_bytes};
        const std::vector<JournalInterface> interfaces{{"port0", kSnaplen}, {"port1", kSnaplen}};
        Journal journal(config, interfaces, 2);
        // Three and a half files' worth, 790 bytes a frame on average.
        const std::uint64_t frames = rotate * 7 / 2 / 790 / 2;
        std::vector<std::thread> threads;
        for (std::uint32_t p = 0; p < 2; ++p)
            threads.emplace_back([&, p] {
                for (std::uint64_t seq = 0; seq < frames; ++seq) {
                    const auto len = static_cast<std::uint32_t>(64 + (seq * 7919 + p * 101) % 1451);
                    ASSERT_TRUE(write_packet(journal.producer(p), p, packet_timestamp(p, seq), len, len));
                }
            });
        for (std::thread& t : threads) t.join();
        const std::vector<InterfaceStats> stats{{frames, 0}, {frames, 0}};
        journal.close(stats);
        ASSERT_EQ(journal.error(), "");
        ASSERT_GE(journal.files(), 3u);
        std::uint64_t packets = 0;
        for (std::uint32_t n = 1; n <= journal.files(); ++n) {
            const std::string path = JournalWriter::file_path(config, n);
            const std::uint64_t bytes = std::filesystem::file_size(path);
            packets += read_pcapng(path).packets.size();
            if (n == journal.files()) continue;  // the last holds what was left
            EXPECT_LE(bytes, rotate) << path;
            EXPECT_GE(bytes, rotate - rotate / 10) << path;
        }
        EXPECT_EQ(packets, 2 * frames);
    }
}

TEST(JournalRotation, MaxFilesKeepsOnlyTheNewest) {
    TempDir dir;
    const JournalConfig config{.path = dir / "ring.pcapng", .rotate_bytes = 128 << 10, .max_files = 3,
                               .buffer_bytes = kBuffer};
    Journal journal(config, kInterfaces, 1);
    write(journal.producer(0), 0, 2000);
    close(journal);
    ASSERT_EQ(journal.error(), "");
    const std::uint32_t files = journal.files();
    ASSERT_GT(files, 3u);
    std::size_t left = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        ++left;
        (void)entry;
    }
    EXPECT_EQ(left, 3u);
    for (std::uint32_t n = files - 2; n <= files; ++n)
        EXPECT_EQ(check_journal(JournalWriter::file_path(config, n)).verdict, JournalCheck::Verdict::ok) << n;
    EXPECT_EQ(read_pcapng(JournalWriter::file_path(config, files)).packets.back().timestamp,
              packet_timestamp(0, 1999));
}

TEST(JournalRotation, ByTimeStartsANewFileForTheFirstBufferAfterTheInterval) {
    TempDir dir;
    const JournalConfig config{.path = dir / "timed.pcapng", .rotate_interval = 1s, .buffer_bytes = kBuffer};
    Journal journal(config, kInterfaces, 1);
    write(journal.producer(0), 0, 10, 10);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (journal.written_packets() < 10 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(1100ms);
    write(journal.producer(0), 10, 10, 10);
    close(journal);
    EXPECT_EQ(journal.files(), 2u);
    EXPECT_EQ(read_pcapng(JournalWriter::file_path(config, 1)).packets.size(), 10u);
    EXPECT_EQ(read_pcapng(JournalWriter::file_path(config, 2)).packets.size(), 10u);
}

}  // namespace
}  // namespace sentinel::capture
