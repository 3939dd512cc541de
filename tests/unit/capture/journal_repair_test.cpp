// repair: damage in the middle of a journal (a corrupted length, a run of garbage, two damaged
// regions, a damaged section or interface header) and at its end (a torn tail) costs exactly the
// packets it covers; every other packet is in the repaired file, in order and byte for byte.
//   FORBIDDEN: a valid block missing from the repaired file, or a packet in it the original lacks
//   FORBIDDEN: the damaged file changed without --in-place; anything written on a dry run;
//              an existing file replaced by a new output; a temporary file left behind

#include "capture/journal_repair.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "capture/journal_check.hpp"
#include "capture/journal_report.hpp"
#include "capture_test_support.hpp"
#include "journal_damage.hpp"

namespace sentinel::capture {
namespace {

using namespace test;
using Verdict = JournalCheck::Verdict;

int tool(const std::string& args) { return run(std::string(SENTINEL_JOURNAL_TOOL) + " " + args).status; }

std::vector<std::string> names_in(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

struct JournalRepairTest : ::testing::Test {
    TempDir dir;
    const std::string path = dir / "cap.pcapng";
    const std::string repaired = dir / "cap.repaired.pcapng";

    // The journal, as read before any damage.
    PcapngFile original(std::uint64_t packets) {
        write_journal(path, packets);
        return read_pcapng(path);
    }

    // Three journals end to end, as pcapng allows: three sections of 300 packets each. Returns
    // where the second and third begin.
    std::pair<std::uint64_t, std::uint64_t> three_sections() {
        std::uint64_t starts[3] = {};
        for (std::uint64_t i = 0; i < 3; ++i) {
            const std::string part = dir / "part.pcapng";
            write_journal(part, 300, 10000 * i);
            starts[i] = std::filesystem::exists(path) ? std::filesystem::file_size(path) : 0;
            append(path, read_bytes(part));
            std::filesystem::remove(part);
        }
        return {starts[1], starts[2]};
    }

    // Repairs into `repaired` and checks that it is valid and holds the original but `lost`.
    JournalRepair repair_and_compare(const PcapngFile& before, const std::set<std::size_t>& lost) {
        const std::vector<std::byte> damaged = read_bytes(path);
        const JournalRepair r = repair_journal(path);
        EXPECT_TRUE(r.written) << describe_repair(path, r);
        EXPECT_EQ(r.output, repaired);
        EXPECT_EQ(read_bytes(path), damaged) << "the damaged file is left as it was";
        EXPECT_EQ(r.check.packets, before.packets.size() - lost.size());
        const JournalCheck after = check_journal(repaired);
        EXPECT_EQ(after.verdict, Verdict::ok) << after.problem;
        EXPECT_EQ(after.packets, r.check.packets);
        EXPECT_EQ(after.file_size, r.check.kept_bytes);
        expect_survivors(before, lost, repaired);
        return r;
    }
};

TEST_F(JournalRepairTest, ACorruptedLengthMidFileCostsOnlyItsPacket) {
    const PcapngFile before = original(2000);
    overwrite(path, block_of(before, 1000) + 4, words({0x7FFFFFFC}));  // aligned, far past the end
    const JournalRepair r = repair_and_compare(before, {1000});
    EXPECT_EQ(r.check.readable_packets, 1000u);
    ASSERT_EQ(r.check.damage.size(), 1u);
    EXPECT_EQ(r.check.damage[0].offset, block_of(before, 1000));
    EXPECT_EQ(r.check.damage[0].bytes, block_of(before, 1001) - block_of(before, 1000));
    EXPECT_EQ(check_journal(repaired).statistics, 2u) << "the ISBs at the end are kept";
    EXPECT_EQ(tshark_frames(repaired), frames_of(read_pcapng(repaired)));
    EXPECT_EQ(tshark_frames(repaired).size(), 1999u);
}

TEST_F(JournalRepairTest, ARunOfGarbageMidFileCostsThePacketsItCovers) {
    const PcapngFile before = original(2000);
    const std::uint64_t from = before.packets[700].data + 50;  // inside packet 700 ...
    const std::uint64_t to = before.packets[705].data + 10;    // ... to inside packet 705
    overwrite(path, from, garbage(to - from));
    const JournalRepair r = repair_and_compare(before, range(700, 705));
    ASSERT_EQ(r.check.damage.size(), 1u);
    EXPECT_EQ(r.check.damage[0].offset, block_of(before, 700));
    EXPECT_EQ(r.check.damage[0].offset + r.check.damage[0].bytes, block_of(before, 706));
}

TEST_F(JournalRepairTest, ATornTailCostsThePacketsAfterTheCut) {
    const PcapngFile before = original(2000);
    std::filesystem::resize_file(path, block_of(before, 1500) + 100);
    const JournalCheck c = check_journal(path);
    ASSERT_EQ(c.damage.size(), 1u);
    EXPECT_TRUE(c.damage[0].torn_tail);
    EXPECT_EQ(c.damage[0].offset, block_of(before, 1500));
    repair_and_compare(before, range(1500, 1999));
    EXPECT_EQ(check_journal(repaired).statistics, 0u) << "the ISBs were in the tail";

    // In place, the torn tail is cut from the file itself, and nothing else is left in the directory.
    std::filesystem::remove(repaired);
    const JournalRepair r = repair_journal(path, {.output = {}, .in_place = true});
    EXPECT_TRUE(r.written);
    EXPECT_EQ(r.output, path);
    expect_survivors(before, range(1500, 1999), path);
    EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"cap.pcapng"});
}

// Three sections (three journals end to end, as pcapng allows): a damaged section header takes its
// section's blocks with it, and the next section is read again.
TEST_F(JournalRepairTest, ADamagedFirstSectionHeaderCostsItsSectionOnly) {
    const auto [second, third] = three_sections();
    const PcapngFile before = read_pcapng(path);
    ASSERT_EQ(before.packets.size(), 900u);
    overwrite(path, 8, words({0x12345678}));  // the first byte-order magic: no byte order at all
    const JournalRepair r = repair_and_compare(before, range(0, 299));
    ASSERT_EQ(r.check.damage.size(), 1u);
    EXPECT_EQ(r.check.damage[0].offset, 0u);
    EXPECT_EQ(r.check.damage[0].bytes, second);
    EXPECT_TRUE(r.check.damage[0].section_header);
    EXPECT_TRUE(r.check.damage[0].section_lost);
    EXPECT_EQ(r.check.readable_packets, 0u);
    EXPECT_EQ(r.check.interfaces, 4u);
    EXPECT_NE(describe_check(path, r.check).find("the section header block is lost, and with it its section's blocks; "
                                                 "the next section header block is at offset " + std::to_string(second)),
              std::string::npos)
        << describe_check(path, r.check);
    EXPECT_EQ(tshark_frames(repaired).size(), 600u);
}

TEST_F(JournalRepairTest, ATruncatedSectionHeaderMidFileCostsItsSectionOnly) {
    const auto [second, third] = three_sections();
    const PcapngFile before = read_pcapng(path);
    overwrite(path, second + 4, words({16}));  // the second header's length, cut short
    const JournalRepair r = repair_and_compare(before, range(300, 599));
    ASSERT_EQ(r.check.damage.size(), 1u);
    EXPECT_EQ(r.check.damage[0].offset, second);
    EXPECT_EQ(r.check.damage[0].bytes, third - second);
    EXPECT_TRUE(r.check.damage[0].section_header);
    EXPECT_EQ(r.check.readable_packets, 300u);
    EXPECT_EQ(tshark_frames(repaired).size(), 600u);
}

TEST_F(JournalRepairTest, TwoDamagedRegionsAreBothFoundAndCostOnlyTheirPackets) {
    const PcapngFile before = original(2000);
    overwrite(path, block_of(before, 400) + 4, words({24}));  // a length that is too short, but aligned
    overwrite(path, before.packets[1200].data + 100, garbage(block_of(before, 1204) + 8 - before.packets[1200].data - 100));
    std::set<std::size_t> lost = range(1200, 1204);
    lost.insert(400);
    const JournalRepair r = repair_and_compare(before, lost);
    ASSERT_EQ(r.check.damage.size(), 2u);
    EXPECT_EQ(r.check.damage[0].offset, block_of(before, 400));
    EXPECT_EQ(r.check.damage[1].offset, block_of(before, 1200));
    EXPECT_EQ(r.check.damage[1].offset + r.check.damage[1].bytes, block_of(before, 1205));
    EXPECT_EQ(r.check.readable_packets, 400u);
    const std::string line = describe_repair(path, r);
    EXPECT_EQ(line.substr(0, line.find('\n')),
              path + ": wrote " + repaired + ": kept 1994 packets (" + std::to_string(r.check.kept_bytes) +
                  " bytes); readers took 400 from " + path + "; dropped " +
                  std::to_string(r.check.file_size - r.check.kept_bytes) + " bytes in 2 regions");
    EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 2);
}

// The second interface's description is damaged: its packets and statistics cannot be read and are
// dropped, and the report says why; the first interface's packets are all kept.
TEST_F(JournalRepairTest, ALostInterfaceDescriptionIsReportedWithItsPackets) {
    const PcapngFile before = original(1000);
    std::uint32_t shb = 0, idb0 = 0;
    std::memcpy(&shb, &before.bytes[4], 4);
    std::memcpy(&idb0, &before.bytes[shb + 4], 4);
    overwrite(path, shb + idb0 + 4, words({0xFFFFFFF0}));
    std::set<std::size_t> lost;
    for (std::size_t i = 1; i < 1000; i += 2) lost.insert(i);
    const JournalRepair r = repair_and_compare(before, lost);
    ASSERT_EQ(r.check.orphans.size(), 1u);
    EXPECT_EQ(r.check.orphans[0].interface, 1u);
    EXPECT_EQ(r.check.orphans[0].packets, 500u);
    EXPECT_EQ(r.check.orphans[0].statistics, 1u);
    EXPECT_EQ(r.check.orphans[0].first, block_of(before, 1));
    EXPECT_EQ(r.check.interfaces, 1u);
    EXPECT_NE(describe_repair(path, r).find("\n  dropped 500 packets and 1 statistics blocks on interface 1 of the "
                                            "section at offset 0, from offset " + std::to_string(block_of(before, 1)) +
                                            " on: its interface description block is lost"),
              std::string::npos)
        << describe_repair(path, r);
    EXPECT_EQ(tshark_frames(repaired).size(), 500u);
}

// A section header that gives its section's length would count dropped bytes: the copy says -1.
TEST_F(JournalRepairTest, AGivenSectionLengthBecomesUnknownInTheCopy) {
    const PcapngFile before = original(300);
    std::uint32_t shb = 0;
    std::memcpy(&shb, &before.bytes[4], 4);
    const std::uint64_t section_length = before.bytes.size() - shb;
    overwrite(path, 16, words({static_cast<std::uint32_t>(section_length), 0}));
    overwrite(path, block_of(before, 100) + 4, words({0x1000}));
    const JournalRepair r = repair_and_compare(before, {100});
    EXPECT_EQ(r.check.stale_section_lengths, std::vector<std::uint64_t>{0});
    const std::vector<std::byte> copy = read_bytes(repaired);
    EXPECT_EQ(std::vector<std::byte>(copy.begin() + 16, copy.begin() + 24), std::vector<std::byte>(8, std::byte{0xFF}));
    const auto kept_before = static_cast<std::ptrdiff_t>(block_of(before, 100));
    EXPECT_TRUE(std::equal(copy.begin() + 24, copy.begin() + kept_before, before.bytes.begin() + 24))
        << "the rest of the header and the blocks before the damage are copied as they were";
}

TEST_F(JournalRepairTest, DryRunWritesNothingOutputIsNeverReplacedInPlaceReplaces) {
    const PcapngFile before = original(500);
    overwrite(path, block_of(before, 250) + 4, words({0xDEADBEEC}));
    const std::vector<std::byte> damaged = read_bytes(path);

    const Command dry = run(std::string(SENTINEL_JOURNAL_TOOL) + " repair --dry-run " + path);
    EXPECT_EQ(dry.status, 0) << dry.err;
    EXPECT_EQ(dry.out.rfind(path + ": dry run: would write " + repaired + ": would keep 499 packets", 0), 0u) << dry.out;
    EXPECT_NE(dry.out.find("; nothing written\n  would drop offset " + std::to_string(block_of(before, 250))),
              std::string::npos)
        << dry.out;
    EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"cap.pcapng"});
    EXPECT_EQ(tool("repair --dry-run --in-place " + path), 0);
    EXPECT_EQ(read_bytes(path), damaged);

    const std::string out = dir / "elsewhere.pcapng";
    EXPECT_EQ(tool("repair -o " + out + " " + path), 0);
    expect_survivors(before, {250}, out);
    const Command again = run(std::string(SENTINEL_JOURNAL_TOOL) + " repair --output=" + out + " " + path);
    EXPECT_EQ(again.status, 2);
    EXPECT_EQ(again.err, "sentinel-journal: " + out + ": File exists — remove it, name another output with -o, or " +
                             "repair with --in-place (while repairing " + path + ")\n");
    EXPECT_EQ(tool("repair -o " + path + " " + path), 2) << "the input is never the new output";
    EXPECT_EQ(read_bytes(path), damaged);

    struct stat st{};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    const ino_t inode = st.st_ino;
    ::chmod(path.c_str(), 0640);
    EXPECT_EQ(tool("repair --in-place " + path), 0);
    expect_survivors(before, {250}, path);
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_NE(st.st_ino, inode) << "a new file renamed over the old one";
    EXPECT_EQ(st.st_mode & 07777, 0640u) << "with the old one's permissions";
    EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"cap.pcapng", "elsewhere.pcapng"}));
    EXPECT_EQ(tool("check " + path), 0);
    EXPECT_EQ(tool("repair --in-place " + path), 0) << "valid now: nothing to do";
}

TEST(RepairedPath, ReplacesThePcapngExtension) {
    EXPECT_EQ(repaired_path("/x/cap_00001.pcapng"), "/x/cap_00001.repaired.pcapng");
    EXPECT_EQ(repaired_path("cap"), "cap.repaired.pcapng");
    EXPECT_EQ(repaired_path(".pcapng"), ".pcapng.repaired.pcapng");
}

}  // namespace
}  // namespace sentinel::capture
