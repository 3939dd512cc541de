// check: torn tails, zeros, garbage and invalid blocks are found, and where valid blocks resume;
// repair of a torn tail keeps every valid block and refuses what is not pcapng; sentinel-journal's
// exit codes. (journal_repair_test: damage in the middle, packet by packet.)
//   FORBIDDEN: a damaged file reported ok, or an intact one reported damaged
//   FORBIDDEN: repair removing a valid block, or writing anything for a file that is not pcapng

#include "capture/journal_check.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "capture/journal.hpp"
#include "capture/journal_repair.hpp"
#include "capture/journal_report.hpp"
#include "capture_test_support.hpp"
#include "journal_damage.hpp"

namespace sentinel::capture {
namespace {

using namespace test;
using namespace std::chrono_literals;
using Verdict = JournalCheck::Verdict;

const std::vector<JournalInterface>& kInterfaces = kTwoInterfaces;

int tool(const std::string& args) { return run(std::string(SENTINEL_JOURNAL_TOOL) + " " + args).status; }

struct JournalCheckTest : ::testing::Test {
    TempDir dir;
    const std::string path = dir / "cap.pcapng";
    const std::string repaired = dir / "cap.repaired.pcapng";
};

TEST_F(JournalCheckTest, AnIntactJournalIsOk) {
    write_journal(path, 500);
    const JournalCheck c = check_journal(path);
    EXPECT_EQ(c.verdict, Verdict::ok) << c.problem;
    EXPECT_EQ(c.packets, 500u);
    EXPECT_EQ(c.interfaces, 2u);
    EXPECT_EQ(c.statistics, 2u);
    EXPECT_EQ(c.valid_bytes, c.file_size);
    EXPECT_EQ(describe_check(path, c), path + ": ok: 500 packets, 2 interfaces, " + std::to_string(c.file_size) + " bytes");
    EXPECT_EQ(tool("check " + path), 0);
    const JournalRepair r = repair_journal(path);
    EXPECT_FALSE(r.written);
    EXPECT_EQ(describe_repair(path, r), path + ": ok: nothing to repair (500 packets)");
    EXPECT_FALSE(std::filesystem::exists(repaired));
}

TEST_F(JournalCheckTest, ABlockRunningPastTheEndIsATornTailThatRepairCuts) {
    write_journal(path, 500);
    const std::uintmax_t size = std::filesystem::file_size(path);
    append(path, words({pcapng::kEnhancedPacket, 2000, 0, 0, 0, 1960, 1960, 0xDEAD}));
    const JournalCheck c = check_journal(path);
    EXPECT_EQ(c.verdict, Verdict::damaged);
    ASSERT_EQ(c.damage.size(), 1u);
    EXPECT_TRUE(c.damage[0].torn_tail);
    EXPECT_EQ(c.damage[0].offset, size);
    EXPECT_EQ(c.damage[0].bytes, 32u);
    EXPECT_EQ(c.valid_bytes, size);
    EXPECT_EQ(c.packets, 500u);
    EXPECT_EQ(describe_check(path, c),
              path + ": torn tail at offset " + std::to_string(size) + " (block type 0x00000006, length 2000 runs past " +
                  "end of file at " + std::to_string(size + 32) + "); valid up to " + std::to_string(size) +
                  ": 500 packets — run 'sentinel-journal repair " + path + "'");
    EXPECT_EQ(tool("check " + path), 1);

    EXPECT_EQ(tool("repair " + path), 0);
    EXPECT_EQ(std::filesystem::file_size(path), size + 32) << "the damaged file is left as it was";
    EXPECT_EQ(std::filesystem::file_size(repaired), size);
    EXPECT_EQ(check_journal(repaired).verdict, Verdict::ok);
    EXPECT_EQ(tshark_frames(repaired).size(), 500u);
}

TEST_F(JournalCheckTest, ZerosAfterTheLastBlockAreAWriteThatNeverCompleted) {
    write_journal(path, 100);
    const std::uintmax_t size = std::filesystem::file_size(path);
    append(path, std::vector<std::byte>(8192));
    const JournalCheck c = check_journal(path);
    EXPECT_EQ(c.verdict, Verdict::damaged);
    EXPECT_EQ(c.problem, "8192 zero bytes: a write that never completed");
    const JournalRepair r = repair_journal(path);
    EXPECT_TRUE(r.written);
    EXPECT_EQ(r.output, repaired);
    const std::string at = std::to_string(size);
    EXPECT_EQ(describe_repair(path, r), path + ": wrote " + repaired + ": kept 100 packets (" + at +
                                            " bytes); readers took 100 from " + path + "; dropped 8192 bytes in 1 " +
                                            "region\n  dropped offset " + at + ", 8192 bytes: torn tail (8192 zero " +
                                            "bytes: a write that never completed); to the end of the file");
    EXPECT_EQ(check_journal(repaired).verdict, Verdict::ok);
}

TEST_F(JournalCheckTest, GarbageAndShortTailsAreTorn) {
    write_journal(path, 100);
    const std::uintmax_t size = std::filesystem::file_size(path);
    append(path, words({0x12345678, 14, 0}));  // a length that is no multiple of 4
    EXPECT_EQ(check_journal(path).problem, "block type 0x12345678, length 14: not a multiple of 4");
    std::filesystem::resize_file(path, size + 6);
    EXPECT_EQ(check_journal(path).problem, "6 bytes, too few for a block");
    std::filesystem::resize_file(path, size);
    append(path, words({pcapng::kNameResolution, 16, 0, 20}));  // trailing length differs
    EXPECT_EQ(check_journal(path).problem, "block type 0x00000004, length 16, trailing length 20");
    EXPECT_TRUE(check_journal(path).damage.at(0).torn_tail);
    EXPECT_EQ(repair_journal(path).check.valid_bytes, size);
    EXPECT_EQ(check_journal(repaired).verdict, Verdict::ok);
    EXPECT_EQ(std::filesystem::file_size(repaired), size);
}

TEST_F(JournalCheckTest, AWellFramedBlockWithBadFieldsIsInvalid) {
    write_journal(path, 10);
    const std::uintmax_t size = std::filesystem::file_size(path);
    append(path, words({pcapng::kEnhancedPacket, 36, 5, 0, 0, 4, 4, 0xAAAAAAAA, 36}));  // interface 5 of 2
    const JournalCheck c = check_journal(path);
    EXPECT_EQ(c.verdict, Verdict::damaged);
    ASSERT_EQ(c.damage.size(), 1u);
    EXPECT_FALSE(c.damage[0].torn_tail);
    EXPECT_TRUE(c.damage[0].invalid_block);
    EXPECT_EQ(c.problem, "packet on interface 5; the section has 2");
    EXPECT_NE(describe_check(path, c).find("\n  offset " + std::to_string(size) + ", 36 bytes: invalid block ("),
              std::string::npos)
        << describe_check(path, c);
    std::filesystem::resize_file(path, size);
    append(path, words({pcapng::kEnhancedPacket, 36, 1, 0, 0, 4, 3, 0xAAAAAAAA, 36}));
    EXPECT_EQ(check_journal(path).problem, "captured length 4 above original length 3");
    std::filesystem::resize_file(path, size);
    append(path, words({pcapng::kEnhancedPacket, 36, 1, 0, 0, 9, 9, 0xAAAAAAAA, 36}));
    EXPECT_EQ(check_journal(path).problem, "packet of 9 captured bytes in a block of 36");
}

TEST_F(JournalCheckTest, RepairRefusesAFileThatIsNotPcapng) {
    std::ofstream(path) << "GET / HTTP/1.1\r\nHost: example\r\n\r\n";
    const std::uintmax_t size = std::filesystem::file_size(path);
    const JournalCheck c = check_journal(path);
    EXPECT_EQ(c.verdict, Verdict::not_pcapng);
    EXPECT_EQ(describe_check(path, c), path + ": not a pcapng file (starts with block type 0x20544547, not a section "
                                              "header block)");
    const JournalRepair r = repair_journal(path);
    EXPECT_FALSE(r.written);
    EXPECT_NE(describe_repair(path, r).find("; not repairing"), std::string::npos);
    EXPECT_EQ(std::filesystem::file_size(path), size) << "left alone";
    EXPECT_FALSE(std::filesystem::exists(repaired));
    EXPECT_EQ(tool("check " + path), 1);
    EXPECT_EQ(tool("repair " + path), 1);
}

TEST_F(JournalCheckTest, AnEmptyOrTornHeaderIsNotPcapng) {
    std::ofstream(path).close();
    EXPECT_EQ(check_journal(path).verdict, Verdict::not_pcapng);
    append(path, words({pcapng::kSectionHeader, 28, pcapng::kByteOrderMagic}));  // an SHB cut short
    EXPECT_EQ(check_journal(path).verdict, Verdict::not_pcapng);
    EXPECT_FALSE(repair_journal(path).written);
    EXPECT_EQ(std::filesystem::file_size(path), 12u);
}

TEST_F(JournalCheckTest, ReadsAByteSwappedSection) {
    const auto be = [](std::uint32_t v) { return __builtin_bswap32(v); };
    // SHB (version 1.0, length -1), IDB (Ethernet, snaplen 64), EPB with 4 bytes, all big-endian.
    append(path, words({pcapng::kSectionHeader, be(28), be(pcapng::kByteOrderMagic), be(0x00010000), 0xFFFFFFFF,
                        0xFFFFFFFF, be(28)}));
    append(path, words({be(1), be(20), be(0x00010000), be(64), be(20)}));
    append(path, words({be(6), be(36), 0, 0, 0, be(4), be(4), 0x01020304, be(36)}));
    const JournalCheck c = check_journal(path);
    EXPECT_EQ(c.verdict, Verdict::ok) << c.problem;
    EXPECT_EQ(c.packets, 1u);
}

TEST_F(JournalCheckTest, ToolReportsUsageAndUnreadableFiles) {
    EXPECT_EQ(tool(""), 2);
    EXPECT_EQ(tool("verify " + path), 2);
    EXPECT_EQ(tool("check " + dir / "missing.pcapng"), 2);
    write_journal(path, 10);
    EXPECT_EQ(tool("check --dry-run " + path), 2) << "check takes no options";
    EXPECT_EQ(tool("repair --in-place -o " + dir / "out.pcapng " + path), 2);
    EXPECT_EQ(tool("repair -o " + dir / "out.pcapng " + path + " " + path), 2) << "-o takes one FILE";
    EXPECT_EQ(tool("repair --bogus " + path), 2);
    EXPECT_EQ(tool("repair"), 2);
    const Command missing = run(std::string(SENTINEL_JOURNAL_TOOL) + " repair " + dir / "missing.pcapng");
    EXPECT_EQ(missing.status, 2);
    EXPECT_EQ(missing.err, "sentinel-journal: " + dir / "missing.pcapng" + ": No such file or directory — check the " +
                               "path and its permissions (while repairing " + dir / "missing.pcapng" + ")\n");
}

// A damaged length in the middle: the damage is that one block, and the blocks after it count.
TEST_F(JournalCheckTest, FindsWhereValidBlocksResumeAfterDamageInTheMiddle) {
    write_journal(path, 400);
    const PcapngFile original = read_pcapng(path);
    const std::uint64_t at = block_of(original, 150);
    const std::uint64_t next = block_of(original, 151);
    overwrite(path, at + 4, words({0xDEADBEEF}));
    const JournalCheck c = check_journal(path);
    EXPECT_EQ(c.verdict, Verdict::damaged);
    ASSERT_EQ(c.damage.size(), 1u);
    EXPECT_EQ(c.damage[0].offset, at);
    EXPECT_EQ(c.damage[0].bytes, next - at);
    EXPECT_FALSE(c.damage[0].torn_tail);
    EXPECT_FALSE(c.damage[0].section_lost);
    EXPECT_EQ(c.valid_bytes, at);
    EXPECT_EQ(c.readable_packets, 150u);
    EXPECT_EQ(c.packets, 399u);
    EXPECT_EQ(c.interfaces, 2u);
    EXPECT_EQ(c.statistics, 2u);
    EXPECT_EQ(c.kept_bytes, c.file_size - (next - at));
    const std::string o = std::to_string(at), n = std::to_string(next - at);
    EXPECT_EQ(describe_check(path, c),
              path + ": damaged: " + n + " bytes in 1 region; valid blocks hold 399 packets, readers stop at offset " +
                  o + " after 150 — run 'sentinel-journal repair " + path + "'\n  offset " + o + ", " + n +
                  " bytes: damaged (block type 0x00000006, length 3735928559: not a multiple of 4); valid blocks " +
                  "resume at offset " + std::to_string(next));
    EXPECT_EQ(tool("check " + path), 1);
}

// A file whose only section header is damaged has nothing that can be read.
TEST_F(JournalCheckTest, ADamagedOnlySectionHeaderLeavesNothingToKeep) {
    write_journal(path, 50);
    overwrite(path, 8, words({0x12345678}));  // the byte-order magic
    const JournalCheck c = check_journal(path);
    EXPECT_EQ(c.verdict, Verdict::not_pcapng);
    EXPECT_EQ(c.packets, 0u);
    EXPECT_EQ(describe_check(path, c),
              path + ": no readable section: the section header block at offset 0 is damaged (section header block " +
                  "with byte-order magic 0x12345678) and no valid one follows; nothing can be kept");
    EXPECT_EQ(tool("check " + path), 1);
    EXPECT_EQ(tool("repair " + path), 1);
    EXPECT_FALSE(std::filesystem::exists(repaired));
}

// A capture killed with SIGKILL mid-write: whatever the file holds, repair leaves a valid file
// with every packet check counted before, and tshark reads it.
TEST_F(JournalCheckTest, AJournalKilledMidCaptureIsRepaired) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        try {
            Journal journal({.path = path, .buffer_bytes = 256 << 10}, kInterfaces, 1);
            for (std::uint64_t seq = 0;; ++seq) {
                write_packet(journal.producer(0), 0, packet_timestamp(0, seq), 1400, 1400);
                if (seq % 1000 == 999) journal.producer(0).flush();
            }
        } catch (...) {
        }
        ::_exit(1);  // never back into the test runner
    }
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    const auto written = [&] {
        std::error_code missing;
        const std::uintmax_t size = std::filesystem::file_size(path, missing);
        return missing ? 0 : size;
    };
    while (written() < (8u << 20) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);

    const JournalCheck before = check_journal(path);
    ASSERT_NE(before.verdict, Verdict::not_pcapng) << before.problem;
    EXPECT_GT(before.packets, 1000u);
    EXPECT_TRUE(repair_journal(path, {.output = {}, .in_place = true}).written || before.verdict == Verdict::ok);
    const JournalCheck after = check_journal(path);
    EXPECT_EQ(after.verdict, Verdict::ok) << after.problem;
    EXPECT_EQ(after.packets, before.packets);
    EXPECT_EQ(tshark_frames(path).size(), after.packets);
}

}  // namespace
}  // namespace sentinel::capture
