// The journal end to end: what producers hand in is what the file holds, packet for packet and
// byte for byte, and what tshark, capinfos and tcpdump read from it.
//   FORBIDDEN: a packet missing, written twice, clipped other than to its snaplen, or with a wrong byte
//   FORBIDDEN: written_packets + lost_packets != packets ended
//   FORBIDDEN: any reader warning about the file (fillers must be invisible)
// The stress size shrinks under sanitizers; SENTINEL_STRESS_EVENTS overrides it.

#include "capture/journal.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory_resource>
#include <utility>
#include <thread>
#include <vector>

#include "capture/journal_check.hpp"
#include "capture_test_support.hpp"

namespace sentinel::capture {
namespace {

using namespace test;
using namespace std::chrono_literals;

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr std::uint64_t kDefaultEvents = 20'000;
#else
constexpr std::uint64_t kDefaultEvents = 200'000;
#endif

std::uint64_t events_per_producer() {
    const char* env = std::getenv("SENTINEL_STRESS_EVENTS");
    return env ? std::strtoull(env, nullptr, 10) : kDefaultEvents;
}

// Jumbo, standard and header-only snaplens: the last two clip.
const std::vector<JournalInterface> kInterfaces{{"port0 (jumbo)", 9018}, {"port1", 1500}, {"port2 (headers)", 128}};

JournalConfig small_buffers(const std::string& path) {
    return {.path = path, .buffer_bytes = 64 << 10, .buffers_per_producer = 4};
}

std::uint32_t clipped(std::uint32_t interface, std::uint32_t original) {
    return std::min(original, kInterfaces[interface].snaplen);
}

std::uint64_t count_lines(const std::string& text) { return static_cast<std::uint64_t>(std::ranges::count(text, '\n')); }

TEST(Journal, WritesEverySizeOnEveryInterfaceClippedToItsSnaplen) {
    TempDir dir;
    const std::string path = dir / "sizes.pcapng";
    std::uint64_t packets = 0, bytes = 0;
    {
        Journal journal(small_buffers(path), kInterfaces, 1);
        JournalProducer& p = journal.producer(0);
        for (std::uint32_t size = 1; size <= 9018; ++size) {
            for (std::uint32_t i = 0; i < kInterfaces.size(); ++i) {
                ASSERT_TRUE(write_packet(p, i, packet_timestamp(i, size), size, clipped(i, size)));
                ++packets;
                bytes += size;
            }
        }
        const std::vector<InterfaceStats> stats{{9018, 0}, {9020, 2}, {9100, 82}};
        journal.close(stats);
        EXPECT_EQ(journal.written_packets(), packets);
        EXPECT_EQ(journal.written_bytes(), bytes);
        EXPECT_EQ(journal.lost_packets(), 0u);
        EXPECT_EQ(journal.files(), 1u);
        EXPECT_EQ(journal.file_bytes(), std::filesystem::file_size(path));
        EXPECT_EQ(journal.file_bytes() % 4096, 0u) << "every write is whole 4 KiB blocks";
        EXPECT_FALSE(journal.failed());
        EXPECT_EQ(journal.error(), "");
    }

    const PcapngFile file = read_pcapng(path);
    ASSERT_EQ(file.error, "");
    ASSERT_EQ(file.interfaces.size(), kInterfaces.size());
    for (std::size_t i = 0; i < kInterfaces.size(); ++i) {
        EXPECT_EQ(file.interfaces[i].name, kInterfaces[i].name);
        EXPECT_EQ(file.interfaces[i].snaplen, 9018u) << "the largest: libpcap wants one per section";
        EXPECT_EQ(file.interfaces[i].tsresol, 9) << "nanosecond timestamps";
    }
    ASSERT_EQ(file.packets.size(), packets);
    std::size_t n = 0;
    for (std::uint32_t size = 1; size <= 9018; ++size) {
        for (std::uint32_t i = 0; i < kInterfaces.size(); ++i, ++n) {
            const Packet& p = file.packets[n];
            ASSERT_EQ(p.interface, i);
            ASSERT_EQ(p.timestamp, packet_timestamp(i, size));
            ASSERT_EQ(p.original, size);
            ASSERT_EQ(p.captured, clipped(i, size));
            ASSERT_EQ(first_wrong_byte(file, p), -1) << "packet " << n;
        }
    }
    EXPECT_GT(file.fillers, 0u);
    ASSERT_EQ(file.statistics.size(), 3u);
    EXPECT_EQ(file.statistics[2].interface, 2u);
    EXPECT_EQ(file.statistics[2].received, 9100u);
    EXPECT_EQ(file.statistics[2].dropped, 82u);

    const JournalCheck check = check_journal(path);
    EXPECT_EQ(check.verdict, JournalCheck::Verdict::ok) << check.problem;
    EXPECT_EQ(check.packets, packets);
    EXPECT_EQ(check.interfaces, 3u);
    EXPECT_EQ(check.statistics, 3u);

    EXPECT_EQ(tshark_frames(path), frames_of(file));

    const Command capinfos = run("capinfos -M '" + path + "'");
    EXPECT_EQ(capinfos.status, 0);
    EXPECT_EQ(warnings(capinfos.err), "");
    EXPECT_NE(capinfos.out.find("Number of packets:   27054"), std::string::npos) << capinfos.out;
    EXPECT_NE(capinfos.out.find("Capture application: sentinel"), std::string::npos) << capinfos.out;
    EXPECT_EQ(count_lines(run("capinfos '" + path + "' | grep 'Number of stat entries = 1'").out), 3u)
        << "one ISB per interface";
    EXPECT_EQ(run("capinfos -T -r -c -M '" + path + "'").out, path + "\t27054\n");

    // One line per packet starts with its time (-tt: seconds.microseconds); random payloads decode
    // as this and that, sometimes over several lines.
    const Command tcpdump = run("tcpdump -n -q -tt -r '" + path + "' | grep -c -E '^[0-9]+\\.[0-9]{6} '");
    EXPECT_EQ(warnings(tcpdump.err), "");
    EXPECT_EQ(tcpdump.out, std::to_string(packets) + "\n");
}

TEST(Journal, ThreeProducersWriteEveryPacketExactlyOnce) {
    TempDir dir;
    const std::string path = dir / "stress.pcapng";
    constexpr std::uint32_t kProducers = 3;
    const std::uint64_t n = events_per_producer();
    // Two small buffers each: the producers catch up with the writer often and retry.
    JournalConfig config{.path = path, .buffer_bytes = 128 << 10, .buffers_per_producer = 2};
    Journal journal(config, kInterfaces, kProducers);
    const auto original = [](std::uint64_t seq) { return static_cast<std::uint32_t>(1 + seq * 7919 % 1514); };
    std::vector<std::thread> threads;
    for (std::uint32_t t = 0; t < kProducers; ++t) {
        threads.emplace_back([&, t] {
            JournalProducer& p = journal.producer(t);
            for (std::uint64_t seq = 0; seq < n; ++seq) {
                const auto i = static_cast<std::uint32_t>(seq % 3);
                if (!write_packet(p, i, packet_timestamp(t, seq), original(seq), clipped(i, original(seq)))) return;
                if (seq % 10007 == 0) p.flush();  // partial buffers interleave with full ones
            }
            p.flush();
        });
    }
    for (std::thread& t : threads) t.join();
    const std::vector<InterfaceStats> stats(3, InterfaceStats{n, 0});
    journal.close(stats);
    ASSERT_EQ(journal.error(), "");
    ASSERT_EQ(journal.written_packets(), kProducers * n);
    ASSERT_EQ(journal.lost_packets(), 0u);

    const PcapngFile file = read_pcapng(path);
    ASSERT_EQ(file.error, "");
    ASSERT_EQ(file.packets.size(), kProducers * n);
    std::vector<std::vector<bool>> seen(kProducers, std::vector<bool>(n));
    std::uint64_t bytes = 0;
    for (const Packet& p : file.packets) {
        const auto t = static_cast<std::uint32_t>(p.timestamp >> 40);
        const std::uint64_t seq = p.timestamp & ((std::uint64_t{1} << 40) - 1);
        ASSERT_LT(t, kProducers);
        ASSERT_LT(seq, n);
        ASSERT_FALSE(seen[t][seq]) << "producer " << t << " packet " << seq << " written twice";
        seen[t][seq] = true;
        ASSERT_EQ(p.interface, seq % 3);
        ASSERT_EQ(p.original, original(seq));
        ASSERT_EQ(p.captured, clipped(p.interface, p.original));
        ASSERT_EQ(first_wrong_byte(file, p), -1) << "producer " << t << " packet " << seq;
        bytes += p.original;
    }
    EXPECT_EQ(journal.written_bytes(), bytes);
    const JournalCheck check = check_journal(path);
    EXPECT_EQ(check.verdict, JournalCheck::Verdict::ok) << check.problem;
    EXPECT_EQ(check.packets, kProducers * n);
    EXPECT_EQ(run("capinfos -T -r -c -M '" + path + "'").out, path + "\t" + std::to_string(kProducers * n) + "\n");
}

TEST(Journal, FlushHandsAPartialBufferToTheWriter) {
    TempDir dir;
    const std::string path = dir / "flush.pcapng";
    Journal journal(small_buffers(path), kInterfaces, 1);
    JournalProducer& p = journal.producer(0);
    EXPECT_EQ(p.buffer_age_ns(), 0u) << "no buffer yet";
    for (std::uint64_t seq = 0; seq < 10; ++seq) ASSERT_TRUE(write_packet(p, 1, packet_timestamp(0, seq), 100, 100));
    std::this_thread::sleep_for(2ms);
    EXPECT_GE(p.buffer_age_ns(), 2'000'000u);
    p.flush();
    EXPECT_EQ(p.buffer_age_ns(), 0u);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (journal.written_packets() < 10 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
    EXPECT_EQ(journal.written_packets(), 10u) << "a flushed buffer reaches the disk before close";
    EXPECT_EQ(read_pcapng(path).packets.size(), 10u);
    const std::vector<InterfaceStats> stats(3, InterfaceStats{10, 0});
    journal.close(stats);
    EXPECT_EQ(journal.written_packets(), 10u);
}

TEST(Journal, ClosesWhatProducersLeftInTheirBuffers) {
    TempDir dir;
    const std::string path = dir / "left.pcapng";
    {
        Journal journal(small_buffers(path), kInterfaces, 2);
        ASSERT_TRUE(write_packet(journal.producer(0), 0, packet_timestamp(0, 0), 60, 60));
        ASSERT_TRUE(write_packet(journal.producer(1), 0, packet_timestamp(1, 0), 60, 60));
        // A packet begun and never ended is not written.
        ASSERT_NE(journal.producer(1).begin_packet(0, packet_timestamp(1, 1), 60, 60), nullptr);
        const std::vector<InterfaceStats> stats(3, InterfaceStats{2, 0});
        journal.close(stats);
        EXPECT_EQ(journal.written_packets(), 2u);
    }
    EXPECT_EQ(read_pcapng(path).packets.size(), 2u);
}

TEST(Journal, DestroyedWithoutCloseLeavesAValidFileWithoutStatistics) {
    TempDir dir;
    const std::string path = dir / "destroyed.pcapng";
    {
        Journal journal(small_buffers(path), kInterfaces, 1);
        ASSERT_TRUE(write_packet(journal.producer(0), 2, packet_timestamp(0, 0), 1514, 128));
    }
    const PcapngFile file = read_pcapng(path);
    EXPECT_EQ(file.error, "");
    EXPECT_EQ(file.packets.size(), 1u);
    EXPECT_TRUE(file.statistics.empty());
    EXPECT_EQ(tshark_frames(path).size(), 1u);
}

TEST(Journal, RefusesAnExistingFileWithoutForce) {
    TempDir dir;
    const std::string path = dir / "exists.pcapng";
    std::ofstream(path) << "precious";
    try {
        Journal journal(small_buffers(path), kInterfaces, 1);
        FAIL() << "opened an existing file";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), "cannot create " + path + ": File exists (use --force to overwrite it)");
    }
    EXPECT_EQ(std::filesystem::file_size(path), 8u) << "left as it was";
}

// Rotation would reach cap_00007 after six files and stop the run there: refused before the first.
TEST(Journal, RefusesToRotateIntoAnEarlierRunsFiles) {
    TempDir dir;
    const std::string path = dir / "cap.pcapng";
    const std::string earlier = dir / "cap_00007.pcapng";
    std::ofstream(earlier) << "precious";
    std::ofstream(dir / "cap_7.pcapng") << "not a journal number";
    JournalConfig config = small_buffers(path);
    config.rotate_bytes = 1 << 20;
    try {
        Journal journal(config, kInterfaces, 1);
        FAIL() << "rotation towards an earlier run's file";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), "cannot rotate into " + earlier +
                                             ": it exists from an earlier run (use --force to overwrite, or another "
                                             "--capture name)");
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "cap_00001.pcapng"));
    config.force = true;
    EXPECT_NO_THROW(Journal(config, kInterfaces, 1));
    config.force = false;
    config.rotate_bytes = 0;  // without rotation only the file itself counts
    EXPECT_NO_THROW(Journal(config, kInterfaces, 1));
}

TEST(Journal, OverwritesAnExistingFileWithForce) {
    TempDir dir;
    const std::string path = dir / "exists.pcapng";
    std::ofstream(path) << std::string(100000, 'x');
    JournalConfig config = small_buffers(path);
    config.force = true;
    Journal journal(config, kInterfaces, 1);
    ASSERT_TRUE(write_packet(journal.producer(0), 0, packet_timestamp(0, 0), 60, 60));
    const std::vector<InterfaceStats> stats(3, InterfaceStats{1, 0});
    journal.close(stats);
    EXPECT_EQ(check_journal(path).verdict, JournalCheck::Verdict::ok);
    EXPECT_EQ(tshark_frames(path).size(), 1u);
}

TEST(Journal, NamesTheFileItCannotCreate) {
    EXPECT_THROW(
        {
            try {
                Journal journal(small_buffers("/nonexistent/dir/cap.pcapng"), kInterfaces, 1);
            } catch (const std::runtime_error& e) {
                EXPECT_EQ(std::string(e.what()), "cannot create /nonexistent/dir/cap.pcapng: No such file or directory");
                throw;
            }
        },
        std::runtime_error);
}

// Counts what it hands out, from the heap.
class CountingMemory : public std::pmr::memory_resource {
public:
    std::vector<std::pair<const std::byte*, std::size_t>> live;

private:
    void* do_allocate(std::size_t bytes, std::size_t align) override {
        void* p = std::pmr::new_delete_resource()->allocate(bytes, align);
        live.emplace_back(static_cast<const std::byte*>(p), bytes);
        return p;
    }
    void do_deallocate(void* p, std::size_t bytes, std::size_t align) override {
        std::erase(live, std::pair{static_cast<const std::byte*>(p), bytes});
        std::pmr::new_delete_resource()->deallocate(p, bytes, align);
    }
    bool do_is_equal(const memory_resource& other) const noexcept override { return this == &other; }
};

TEST(Journal, TakesEachProducersBuffersFromItsOwnMemory) {
    TempDir dir;
    const std::string path = dir / "nodes.pcapng";
    CountingMemory ends, node0, node1;
    JournalConfig config = small_buffers(path);
    config.memory = &ends;
    config.producer_memory = {&node0, &node1, nullptr};
    {
        Journal journal(config, kInterfaces, 3);
        const std::size_t bytes = config.buffers_per_producer * config.buffer_bytes;
        ASSERT_EQ(node0.live.size(), 1u);
        ASSERT_EQ(node1.live.size(), 1u);
        ASSERT_EQ(ends.live.size(), 2u) << "the header and trailer, and the buffers of the producer with no memory of its own";
        EXPECT_EQ(journal.producer_memory(0).data(), node0.live[0].first);
        EXPECT_EQ(journal.producer_memory(0).size(), bytes);
        EXPECT_EQ(node0.live[0].second, bytes);
        EXPECT_EQ(journal.producer_memory(1).data(), node1.live[0].first);
        EXPECT_EQ(journal.producer_memory(2).data(), ends.live[1].first);
        EXPECT_THROW(journal.producer_memory(3), std::out_of_range);
        // Enough packets that every producer fills and hands over several buffers.
        for (std::uint32_t t = 0; t < 3; ++t)
            for (std::uint64_t seq = 0; seq < 500; ++seq)
                ASSERT_TRUE(write_packet(journal.producer(t), 1, packet_timestamp(t, seq), 1000, 1000));
        const std::vector<InterfaceStats> stats(3, InterfaceStats{1500, 0});
        journal.close(stats);
        EXPECT_EQ(journal.written_packets(), 1500u);
    }
    EXPECT_TRUE(ends.live.empty() && node0.live.empty() && node1.live.empty()) << "everything given back";
    const PcapngFile file = read_pcapng(path);
    ASSERT_EQ(file.error, "");
    ASSERT_EQ(file.packets.size(), 1500u);
    for (const Packet& p : file.packets) ASSERT_EQ(first_wrong_byte(file, p), -1);

    config.producer_memory = {&node0, &node1};
    EXPECT_THROW(Journal(config, kInterfaces, 3), std::invalid_argument) << "a memory resource list of the wrong length";
}

TEST(Journal, RejectsConfigurationsItCannotHonour) {
    TempDir dir;
    const std::string path = dir / "x.pcapng";
    JournalConfig unaligned = small_buffers(path);
    unaligned.buffer_bytes = 100000;
    EXPECT_THROW(Journal(unaligned, kInterfaces, 1), std::invalid_argument);
    JournalConfig too_small = small_buffers(path);
    too_small.buffer_bytes = 8192;  // a 9018-byte snaplen packet does not fit
    EXPECT_THROW(Journal(too_small, kInterfaces, 1), std::invalid_argument);
    EXPECT_THROW(Journal(small_buffers(path), {{"port0", 0}}, 1), std::invalid_argument);
    EXPECT_THROW(Journal(small_buffers(path), {}, 1), std::invalid_argument);
    EXPECT_THROW(Journal(small_buffers(path), kInterfaces, 0), std::invalid_argument);
    EXPECT_FALSE(std::filesystem::exists(path)) << "no file before the configuration is known good";

    Journal journal(small_buffers(path), kInterfaces, 1);
    EXPECT_THROW(journal.producer(1), std::out_of_range);
    const std::vector<InterfaceStats> two(2, InterfaceStats{0, 0});
    EXPECT_THROW(journal.close(two), std::invalid_argument);
    const std::vector<InterfaceStats> three(3, InterfaceStats{0, 0});
    journal.close(three);
    EXPECT_THROW(journal.close(three), std::logic_error);
}

}  // namespace
}  // namespace sentinel::capture
