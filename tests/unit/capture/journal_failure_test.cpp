// A full disk: the journal stops, keeps a valid file and accounts for every packet. A filesystem
// without O_DIRECT: the same buffers go through the page cache.
//   FORBIDDEN: written_packets + lost_packets != packets ended
//   FORBIDDEN: a file that tshark cannot read, or that holds other than written_packets packets
//   FORBIDDEN: a producer accepting packets after the failure

#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>

#include "capture/journal.hpp"
#include "capture/journal_check.hpp"
#include "capture_test_support.hpp"

namespace sentinel::capture {
namespace {

using namespace test;

// A filesystem of its own on a scratch directory, unmounted at the end.
class Mounted : public ::testing::Test {
protected:
    void mount(const char* type, const char* options) {
        if (::mount(type, dir_.path().c_str(), type, 0, options) != 0)
            GTEST_SKIP() << "cannot mount a " << type << " (" << std::strerror(errno) << "): needs root";
        mounted_ = true;
    }
    void TearDown() override {
        if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
    }

    TempDir dir_;
    bool mounted_ = false;
};

// A 2 MiB tmpfs (which takes O_DIRECT since Linux 6.6).
struct SmallDisk : Mounted {
    void SetUp() override { mount("tmpfs", "size=2m"); }
};

// ramfs has no direct I/O at all.
struct NoDirectIo : Mounted {
    void SetUp() override { mount("ramfs", ""); }
};

TEST_F(NoDirectIo, WritesThroughThePageCacheWithOneWarning) {
    const std::string path = dir_ / "cached.pcapng";
    const std::vector<JournalInterface> interfaces{{"port0", 1514}};
    testing::internal::CaptureStderr();
    {
        Journal journal({.path = path, .rotate_bytes = 128 << 10, .buffer_bytes = 64 << 10}, interfaces, 1);
        for (std::uint64_t seq = 0; seq < 500; ++seq)
            ASSERT_TRUE(write_packet(journal.producer(0), 0, packet_timestamp(0, seq), 1000, 1000));
        const std::vector<InterfaceStats> stats{{500, 0}};
        journal.close(stats);
        EXPECT_EQ(journal.error(), "");
        EXPECT_GT(journal.files(), 2u);
    }
    const std::string first = dir_ / "cached_00001.pcapng";
    EXPECT_EQ(testing::internal::GetCapturedStderr(),
              "warning=journal O_DIRECT refused on " + first + " (Invalid argument); writing through the page cache\n")
        << "one line for the journal, not one per file";
    const JournalCheck check = check_journal(first);
    EXPECT_EQ(check.verdict, JournalCheck::Verdict::ok) << check.problem;
    EXPECT_EQ(tshark_frames(first).size(), check.packets);
}

TEST_F(SmallDisk, FullDiskStopsTheJournalAndKeepsAValidFile) {
    const std::string path = dir_ / "full.pcapng";
    const std::vector<JournalInterface> interfaces{{"port0", 1514}, {"port1", 1514}};
    Journal journal({.path = path, .buffer_bytes = 64 << 10, .buffers_per_producer = 4}, interfaces, 2);

    // 4 MiB of packets for a 2 MiB disk, from two producers.
    std::uint64_t ended[2] = {0, 0};
    std::uint64_t refused[2] = {0, 0};
    std::vector<std::thread> threads;
    for (std::uint32_t t = 0; t < 2; ++t) {
        threads.emplace_back([&, t] {
            JournalProducer& p = journal.producer(t);
            for (std::uint64_t seq = 0; seq < 2000; ++seq) {
                if (write_packet(p, t, packet_timestamp(t, seq), 1000, 1000)) ++ended[t];
                else ++refused[t];
            }
            p.flush();
        });
    }
    for (std::thread& t : threads) t.join();
    const std::vector<InterfaceStats> stats{{2000, refused[0]}, {2000, refused[1]}};
    journal.close(stats);

    EXPECT_TRUE(journal.failed());
    EXPECT_GT(refused[0] + refused[1], 0u) << "producers refuse packets once the journal failed";
    EXPECT_EQ(journal.written_packets() + journal.lost_packets(), ended[0] + ended[1]) << "every packet accounted for";
    EXPECT_GT(journal.written_packets(), 1000u);
    const std::string error = journal.error();
    EXPECT_EQ(error, "capture stopped: " + path + ": No space left on device (wrote " +
                         std::to_string(journal.written_packets()) + " packets; " +
                         std::to_string(journal.lost_packets()) + " not written)");

    const JournalCheck check = check_journal(path);
    EXPECT_EQ(check.verdict, JournalCheck::Verdict::ok) << check.problem;
    EXPECT_EQ(check.packets, journal.written_packets());
    EXPECT_EQ(tshark_frames(path).size(), journal.written_packets());
    const PcapngFile file = read_pcapng(path);
    ASSERT_EQ(file.error, "");
    std::uint64_t written[2] = {0, 0};  // producer t writes on interface t
    for (const Packet& p : file.packets) {
        ASSERT_EQ(first_wrong_byte(file, p), -1);
        ++written[p.interface];
    }
    for (std::size_t t = 0; t < 2; ++t) {
        EXPECT_EQ(written[t] + journal.lost_packets(t), ended[t]) << "producer " << t << "'s losses are its own";
        EXPECT_EQ(journal.written_packets(t), written[t]) << "producer " << t << "'s written packets are its own";
    }
    EXPECT_EQ(journal.lost_packets(0) + journal.lost_packets(1), journal.lost_packets());
}

}  // namespace
}  // namespace sentinel::capture
