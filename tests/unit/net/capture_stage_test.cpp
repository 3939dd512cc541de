// CaptureStage over a journal whose disk fills: what it reports as captured is what reached the
// file, at every reading, and every selected packet is accounted for once.
//   FORBIDDEN: a reading of captured_packets above the packets the file holds in the end
//   FORBIDDEN: a selected packet not captured, not dropped_journal and not lost by the journal

#include "net/capture_stage.hpp"

#include <gtest/gtest.h>
#include <rte_cycles.h>
#include <stdlib.h>
#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "capture/journal.hpp"
#include "net/verdict.hpp"
#include "net_eal.hpp"

namespace sentinel::net {
namespace {

using namespace std::chrono_literals;

// A 2 MiB tmpfs of the test's own, unmounted and removed at the end.
class CaptureStageOnSmallDisk : public test::EalTest {
protected:
    void SetUp() override {
        test::EalTest::SetUp();
        if (IsSkipped()) return;
        char dir[] = "/tmp/capture_stage.XXXXXX";
        ASSERT_NE(::mkdtemp(dir), nullptr);
        dir_ = dir;
        if (::mount("tmpfs", dir, "tmpfs", 0, "size=2m") != 0)
            GTEST_SKIP() << "cannot mount a tmpfs (" << std::strerror(errno) << "): needs root";
        mounted_ = true;
    }
    void TearDown() override {
        if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
    }

    std::filesystem::path dir_;
    bool mounted_ = false;
};

TEST_F(CaptureStageOnSmallDisk, CountsCapturedOnlyOnceWritten) {
    const std::string path = dir_ / "cap.pcapng";
    capture::Journal journal({.path = path, .buffer_bytes = 64 << 10, .buffers_per_producer = 4},
                             {{"port0", 1514}}, 1);
    const TscClock clock(rte_rdtsc(), rte_get_tsc_hz());
    CaptureStage stage(journal, 0, 1514, {0}, clock, 100ms);

    // 4 MiB of 1000-byte frames for a 2 MiB disk, 64 to a batch, until the stage drops them.
    std::vector<std::byte> frame(1000, std::byte{0x5a});
    std::vector<PacketSlot> batch(64, PacketSlot{.mbuf = nullptr, .data = frame.data(), .pool = nullptr, .rx_tsc = 0,
                                                 .len = 1000, .data_len = 1000, .port = 0, .queue = 0, .rss_hash = 0,
                                                 .verdict = Verdict::kCapture});
    std::uint64_t offered = 0;
    std::uint64_t highest_reading = 0;
    for (std::int64_t seq = 0; offered < 4096 && !journal.failed(); seq += 64) {
        stage.on_events(batch, seq, true);
        offered += batch.size();
        highest_reading = std::max(highest_reading, stage.captured().packets);
    }
    ASSERT_TRUE(journal.failed()) << "the disk should have filled";
    stage.on_events(batch, 0, true);  // after the failure: dropped, counted
    offered += batch.size();
    stage.flush();
    journal.drain();
    highest_reading = std::max(highest_reading, stage.captured().packets);

    const std::uint64_t in_file = test::read_pcap(path).size();
    EXPECT_GT(journal.lost_packets(0), 0u) << "buffers that reached the writer after the failure";
    EXPECT_EQ(stage.captured().packets, in_file);
    EXPECT_LE(highest_reading, in_file) << "a reading counted a packet the disk never took";
    EXPECT_EQ(stage.captured().bytes, in_file * 1000);
    EXPECT_EQ(stage.captured().packets + journal.lost_packets(0) + stage.counters().get(Counter::dropped_journal), offered);
    EXPECT_EQ(stage.counters().get(Counter::captured_packets), 0u) << "captured is the journal's count, not a copy";
}

}  // namespace
}  // namespace sentinel::net
