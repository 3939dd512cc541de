// check_pcap_input over files built here: sound ones in every format libpcap reads, and each kind
// of damage, with the counts net_pcap will deliver. libpcap itself is the oracle for those counts:
// every file is also read as net_pcap reads it (pcap_next_ex again after an error, to the end).
//   FORBIDDEN: a sound file reported damaged, or a damaged one reported sound
//   FORBIDDEN: a first bad offset other than the damaged record's header
//   FORBIDDEN: packets, runts, refusals or the infinite_rx count other than libpcap's

#include "net/pcap_input_check.hpp"

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <stdlib.h>

#include <bit>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace sentinel::net {
namespace {

constexpr std::uint32_t kMicro = 0xA1B2C3D4;
constexpr std::uint32_t kNano = 0xA1B23C4D;

// A classic pcap file in memory: the global header, then records appended one by one.
class PcapFile {
public:
    explicit PcapFile(std::uint32_t magic = kMicro, std::uint32_t snaplen = 65535, bool big_endian = false)
        : big_endian_(big_endian) {
        word(magic);
        half(2);
        half(4);
        word(0);
        word(0);
        word(snaplen);
        word(1);  // Ethernet
    }

    // The offset of the record's header.
    std::uint64_t record(std::uint32_t caplen, std::uint32_t len, std::uint32_t fraction = 0,
                         std::uint32_t data_bytes = UINT32_MAX, std::byte fill = std::byte{0x5a}) {
        const std::uint64_t at = bytes_.size();
        word(1700000000);
        word(fraction);
        word(caplen);
        word(len);
        bytes_.insert(bytes_.end(), data_bytes == UINT32_MAX ? caplen : data_bytes, fill);
        return at;
    }
    std::uint64_t frame(std::uint32_t bytes = 60) { return record(bytes, bytes); }
    void zeros(std::size_t n, std::byte fill = std::byte{0}) { bytes_.insert(bytes_.end(), n, fill); }
    void cut(std::size_t n) { bytes_.resize(bytes_.size() - n); }
    std::uint64_t size() const { return bytes_.size(); }
    const std::vector<std::byte>& bytes() const { return bytes_; }

private:
    void word(std::uint32_t v) { put(big_endian_ ? __builtin_bswap32(v) : v); }
    void half(std::uint16_t v) { put(big_endian_ ? __builtin_bswap16(v) : v); }
    template <typename T>
    void put(T v) {
        const std::size_t at = bytes_.size();
        bytes_.resize(at + sizeof v);
        std::memcpy(bytes_.data() + at, &v, sizeof v);
    }

    bool big_endian_;
    std::vector<std::byte> bytes_;
};

// What net_pcap gets from libpcap for a file: pcap_next_ex until the end, asking again after an
// error as net_pcap's next rx_burst does; infinite_rx=1 keeps what came before the first error.
struct LibpcapPass {
    bool opens = false;
    std::uint64_t packets = 0, runts = 0, errors = 0, before_error = 0;
};

LibpcapPass libpcap_pass(const std::string& path) {
    LibpcapPass pass;
    char error[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline(path.c_str(), error);
    if (p == nullptr) return pass;
    pass.opens = true;
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    // Bounded: a pass reads at least one byte per step, and these files are small.
    for (int steps = 0, r; steps < 1'000'000 && (r = pcap_next_ex(p, &header, &data)) != PCAP_ERROR_BREAK; ++steps) {
        if (r == 1) {
            ++pass.packets;
            if (header->caplen < kEthernetHeaderBytes) ++pass.runts;
            if (pass.errors == 0) ++pass.before_error;
        } else {
            ++pass.errors;
        }
    }
    pcap_close(p);
    return pass;
}

struct PcapInputCheckTest : ::testing::Test {
    PcapInputCheckTest() {
        const char* base = std::getenv("TMPDIR");
        std::string pattern = std::string(base ? base : "/tmp") + "/pcap_input_check_XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
        dir = pattern;
    }
    ~PcapInputCheckTest() override {
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
    }

    PcapInputCheck check(const std::vector<std::byte>& bytes) {
        const std::string path = (dir / "in.pcap").string();
        std::ofstream(path, std::ios::binary | std::ios::trunc)
            .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        const PcapInputCheck c = check_pcap_input(path);
        const LibpcapPass libpcap = libpcap_pass(path);
        EXPECT_EQ(c.opens, libpcap.opens);
        EXPECT_EQ(c.before_refusal, libpcap.before_error);
        if (c.format == PcapInputCheck::Format::pcap) {  // pcapng: no prediction past its first refusal
            EXPECT_EQ(c.packets, libpcap.packets);
            EXPECT_EQ(c.runts, libpcap.runts);
            EXPECT_EQ(c.refused_records, libpcap.errors);
        }
        return c;
    }

    std::filesystem::path dir;
};

TEST_F(PcapInputCheckTest, ASoundFileIsNotDamaged) {
    PcapFile f;
    for (int i = 0; i < 100; ++i) f.frame(60 + i);
    const PcapInputCheck c = check(f.bytes());
    EXPECT_FALSE(c.damaged()) << c.problem;
    EXPECT_TRUE(c.opens);
    EXPECT_EQ(c.format, PcapInputCheck::Format::pcap);
    EXPECT_FALSE(c.swapped);
    EXPECT_FALSE(c.nanoseconds);
    EXPECT_EQ(c.snaplen, 65535u);
    EXPECT_EQ(c.file_size, f.size());
    EXPECT_EQ(c.packets, 100u);
    EXPECT_EQ(c.good_records, 100u);
    EXPECT_EQ(c.before_refusal, 100u);
    EXPECT_EQ(c.runts + c.refused_records + c.damaged_records + c.damaged_bytes, 0u);
}

TEST_F(PcapInputCheckTest, AnEmptyCaptureIsSound) {
    const PcapInputCheck c = check(PcapFile().bytes());
    EXPECT_FALSE(c.damaged()) << c.problem;
    EXPECT_EQ(c.packets, 0u);
}

// The case: libpcap refuses the record, reads its 48 zero bytes as three headers (three
// 0-byte phantoms), and is back in step for the records after it.
TEST_F(PcapInputCheckTest, ABadCaplenMidFileIsFoundAndItsPhantomsCounted) {
    PcapFile f;
    for (int i = 0; i < 5; ++i) f.frame();
    const std::uint64_t bad = f.record(0xFFFFFFFF, 64, 0, 48, std::byte{0});
    for (int i = 0; i < 5; ++i) f.frame();
    const PcapInputCheck c = check(f.bytes());
    ASSERT_TRUE(c.damaged());
    EXPECT_TRUE(c.opens);
    EXPECT_EQ(c.first_bad_offset, bad);
    EXPECT_EQ(c.problem, "caplen 4294967295 above libpcap's limit of 262144");
    EXPECT_EQ(c.good_records, 5u);
    EXPECT_EQ(c.refused_records, 1u);
    EXPECT_EQ(c.before_refusal, 5u);
    EXPECT_EQ(c.packets, 5u + 3u + 5u);
    EXPECT_EQ(c.runts, 3u);
    EXPECT_EQ(c.damaged_records, 4u);  // the refused header and the three it turns into
    EXPECT_EQ(c.damaged_bytes, 16u + 48u);
    EXPECT_FALSE(c.nothing_good_after);
}

TEST_F(PcapInputCheckTest, ACaplenAboveTheSnaplenIsHandedOutCut) {
    PcapFile f(kMicro, 128);
    f.frame();
    const std::uint64_t bad = f.record(200, 200);
    f.frame();
    const PcapInputCheck c = check(f.bytes());
    ASSERT_TRUE(c.damaged());
    EXPECT_EQ(c.first_bad_offset, bad);
    EXPECT_EQ(c.problem, "caplen 200 above the file's snaplen of 128");
    EXPECT_EQ(c.good_records, 1u);
    EXPECT_EQ(c.packets, 3u);
    EXPECT_EQ(c.refused_records, 0u);
    EXPECT_EQ(c.before_refusal, 3u);
    EXPECT_EQ(c.damaged_records, 1u);
    EXPECT_EQ(c.damaged_bytes, 16u + 200u);
}

TEST_F(PcapInputCheckTest, ACaplenAboveTheOriginalLengthIsDamage) {
    PcapFile f;
    f.frame();
    const std::uint64_t bad = f.record(80, 60);
    const PcapInputCheck c = check(f.bytes());
    EXPECT_EQ(c.first_bad_offset, bad);
    EXPECT_EQ(c.problem, "caplen 80 above the original length of 60");
    EXPECT_EQ(c.packets, 2u);
    EXPECT_TRUE(c.nothing_good_after);
}

TEST_F(PcapInputCheckTest, ATruncatedLastRecordEndsTheInput) {
    PcapFile f;
    for (int i = 0; i < 20; ++i) f.frame(100);
    const std::uint64_t last = f.frame(100);
    f.cut(40);
    const PcapInputCheck c = check(f.bytes());
    ASSERT_TRUE(c.damaged());
    EXPECT_EQ(c.first_bad_offset, last);
    EXPECT_EQ(c.problem, "record of 100 bytes runs past the end of the file (60 left)");
    EXPECT_EQ(c.good_records, 20u);
    EXPECT_EQ(c.packets, 20u);
    EXPECT_EQ(c.refused_records, 1u);
    EXPECT_EQ(c.damaged_records, 1u);
    EXPECT_EQ(c.damaged_bytes, 16u + 60u);
    EXPECT_TRUE(c.nothing_good_after);
}

TEST_F(PcapInputCheckTest, ATruncatedRecordHeaderEndsTheInput) {
    PcapFile f;
    f.frame();
    const std::uint64_t last = f.frame();
    f.cut(60 + 6);
    const PcapInputCheck c = check(f.bytes());
    EXPECT_EQ(c.first_bad_offset, last);
    EXPECT_EQ(c.problem, "record header cut short: 10 of 16 bytes");
    EXPECT_EQ(c.packets, 1u);
    EXPECT_TRUE(c.nothing_good_after);
}

// A capture cut off by a crash often ends in zeros: each 16 of them is a 0-byte packet to libpcap.
TEST_F(PcapInputCheckTest, AZeroFilledTailReadsAsZeroLengthRecords) {
    PcapFile f;
    for (int i = 0; i < 3; ++i) f.frame();
    const std::uint64_t zeros = f.size();
    f.zeros(4096);
    const PcapInputCheck c = check(f.bytes());
    EXPECT_EQ(c.first_bad_offset, zeros);
    EXPECT_EQ(c.problem, "a record header of zeros (caplen 0)");
    EXPECT_EQ(c.good_records, 3u);
    EXPECT_EQ(c.packets, 3u + 256u);
    EXPECT_EQ(c.runts, 256u);
    EXPECT_EQ(c.damaged_records, 256u);
    EXPECT_EQ(c.refused_records, 0u);
    EXPECT_TRUE(c.nothing_good_after);
}

// A zero-length record followed by bytes that are no record: found at the zero-length record.
TEST_F(PcapInputCheckTest, AZeroLengthRecordBeforeGarbageIsTheFirstDamage) {
    PcapFile f;
    f.frame();
    const std::uint64_t bad = f.record(0, 60, 7);
    f.zeros(200, std::byte{0x41});  // twelve headers of caplen 0x41414141, refused, and 8 bytes
    const PcapInputCheck c = check(f.bytes());
    EXPECT_EQ(c.first_bad_offset, bad);
    EXPECT_EQ(c.problem, "caplen 0");
    EXPECT_EQ(c.good_records, 1u);
    EXPECT_EQ(c.packets, 2u);
    EXPECT_EQ(c.runts, 1u);
    EXPECT_EQ(c.refused_records, 13u);
    EXPECT_EQ(c.damaged_records, 14u);
    EXPECT_EQ(c.damaged_bytes, 16u + 200u);
    EXPECT_TRUE(c.nothing_good_after);
}

TEST_F(PcapInputCheckTest, ABadMagicIsRefused) {
    PcapFile f;
    f.frame();
    std::vector<std::byte> bytes = f.bytes();
    bytes[0] = std::byte{0x00};
    const PcapInputCheck c = check(bytes);
    EXPECT_EQ(c.format, PcapInputCheck::Format::unknown);
    EXPECT_FALSE(c.opens);
    EXPECT_EQ(c.first_bad_offset, 0u);
    EXPECT_EQ(c.problem, "first word 0xa1b2c300 is neither a pcap nor a pcapng magic");
}

TEST_F(PcapInputCheckTest, AShortOrUnknownFileHeaderIsRefused) {
    EXPECT_FALSE(check({}).opens);
    PcapFile f;
    std::vector<std::byte> bytes = f.bytes();
    bytes.resize(20);
    EXPECT_EQ(check(bytes).problem, "file header cut short: 20 of 24 bytes");
    bytes = f.bytes();
    bytes[4] = std::byte{1};  // version 1.4
    EXPECT_EQ(check(bytes).problem, "pcap version 1.4, which libpcap does not read");
}

TEST_F(PcapInputCheckTest, NanosecondTimestampsMayCountToOneBillion) {
    PcapFile nano(kNano);
    nano.record(60, 60, 999'999'999);
    const PcapInputCheck n = check(nano.bytes());
    EXPECT_TRUE(n.nanoseconds);
    EXPECT_FALSE(n.damaged()) << n.problem;

    PcapFile micro(kMicro);
    micro.frame();
    const std::uint64_t bad = micro.record(60, 60, 999'999'999);
    const PcapInputCheck m = check(micro.bytes());
    EXPECT_EQ(m.first_bad_offset, bad);
    EXPECT_EQ(m.problem, "timestamp fraction 999999999 of 1000000 per second");
    EXPECT_EQ(m.packets, 2u);
}

TEST_F(PcapInputCheckTest, TheOtherByteOrderIsReadAsLibpcapReadsIt) {
    for (const std::uint32_t magic : {kMicro, kNano}) {
        PcapFile sound(magic, 65535, true);
        for (int i = 0; i < 10; ++i) sound.frame(64 + i);
        const PcapInputCheck s = check(sound.bytes());
        EXPECT_TRUE(s.swapped);
        EXPECT_EQ(s.nanoseconds, magic == kNano);
        EXPECT_FALSE(s.damaged()) << s.problem;
        EXPECT_EQ(s.packets, 10u);
        EXPECT_EQ(s.snaplen, 65535u);

        PcapFile damaged(magic, 65535, true);
        damaged.frame();
        const std::uint64_t bad = damaged.record(300000, 300000, 0, 0);
        const PcapInputCheck d = check(damaged.bytes());
        EXPECT_EQ(d.first_bad_offset, bad);
        EXPECT_EQ(d.problem, "caplen 300000 above libpcap's limit of 262144");
    }
}

// A snaplen of 0 (or above the limit) is libpcap's limit: no record is above it but a refused one.
TEST_F(PcapInputCheckTest, ASnaplenOfZeroMeansLibpcapsLimit) {
    PcapFile f(kMicro, 0);
    f.frame(9000);
    const PcapInputCheck c = check(f.bytes());
    EXPECT_EQ(c.snaplen, kPcapMaxCaplen);
    EXPECT_FALSE(c.damaged()) << c.problem;
}

// Pre-2.3 files wrote len before caplen; libpcap swaps them back, and so must the check.
TEST_F(PcapInputCheckTest, OldFilesHaveTheirLengthsTheOtherWayRound) {
    PcapFile f;
    std::vector<std::byte> bytes = f.bytes();
    bytes[6] = std::byte{2};  // version 2.2
    PcapFile records;
    records.record(/*written as caplen*/ 1514, /*written as len*/ 60, 0, 60);
    bytes.insert(bytes.end(), records.bytes().begin() + 24, records.bytes().end());
    const PcapInputCheck c = check(bytes);
    EXPECT_FALSE(c.damaged()) << c.problem;
    EXPECT_EQ(c.packets, 1u);
}

// pcapng: recognised, and checked for framing only.
TEST_F(PcapInputCheckTest, PcapngIsCheckedForFraming) {
    const std::vector<std::uint32_t> words{
        0x0A0D0D0A, 28, 0x1A2B3C4D, 0x00000001, 0xFFFFFFFF, 0xFFFFFFFF, 28,  // SHB, version 1.0
        0x00000001, 20, 0x00000001, 1514, 20,                                 // IDB: Ethernet
        0x00000006, 36, 0, 0, 0, 4, 4, 0x01020304, 36,                        // EPB, 4 bytes
    };
    std::vector<std::byte> bytes(words.size() * 4);
    std::memcpy(bytes.data(), words.data(), bytes.size());
    const PcapInputCheck sound = check(bytes);
    EXPECT_EQ(sound.format, PcapInputCheck::Format::pcapng);
    EXPECT_FALSE(sound.damaged()) << sound.problem;
    EXPECT_EQ(sound.packets, 1u);

    std::vector<std::byte> mismatched = bytes;
    mismatched[mismatched.size() - 4] = std::byte{40};
    const PcapInputCheck m = check(mismatched);
    EXPECT_EQ(m.first_bad_offset, 48u);
    EXPECT_EQ(m.problem, "block type 0x00000006 of 36 bytes ends in length 40");

    bytes.resize(bytes.size() - 8);  // the EPB's last word and one of its data
    const PcapInputCheck torn = check(bytes);
    EXPECT_EQ(torn.first_bad_offset, 48u);
    EXPECT_EQ(torn.problem, "block type 0x00000006 of 36 bytes runs past the end of the file (28 left)");
    EXPECT_EQ(torn.good_records, 0u);
    EXPECT_EQ(torn.packets, 0u);
    EXPECT_EQ(torn.refused_records, 1u);
}

// Damage anywhere: bytes overwritten, the file cut, zeros let in. Each file's counts are checked
// against libpcap's in check().
TEST_F(PcapInputCheckTest, RandomDamageIsReadAsLibpcapReadsIt) {
    std::mt19937 random(12);
    for (int round = 0; round < 300; ++round) {
        PcapFile f(round % 2 ? kMicro : kNano, round % 3 ? 65535 : 256, round % 5 == 0);
        for (int i = 0; i < 30; ++i) f.record(40 + random() % 400, 1514, random() % 1'000'000, UINT32_MAX,
                                              std::byte(random() % 3 == 0 ? 0 : random()));
        std::vector<std::byte> bytes = f.bytes();
        const std::size_t at = 24 + random() % (bytes.size() - 24);
        switch (random() % 3) {
        case 0:
            for (std::size_t i = at; i < std::min(bytes.size(), at + 1 + random() % 8); ++i) bytes[i] = std::byte(random());
            break;
        case 1:
            bytes.resize(at);
            break;
        default:
            bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), 1 + random() % 64, std::byte{0});
        }
        SCOPED_TRACE("round " + std::to_string(round));
        check(bytes);
    }
}

// libpcap's open reads up to the first interface description: without one it opens nothing.
TEST_F(PcapInputCheckTest, PcapngWithoutAnInterfaceDoesNotOpen) {
    const std::vector<std::uint32_t> words{0x0A0D0D0A, 28, 0x1A2B3C4D, 0x00000001, 0xFFFFFFFF, 0xFFFFFFFF, 28};
    std::vector<std::byte> bytes(words.size() * 4);
    std::memcpy(bytes.data(), words.data(), bytes.size());
    EXPECT_FALSE(check(bytes).opens);
    bytes.resize(bytes.size() + 4);  // a torn block before any interface description
    EXPECT_FALSE(check(bytes).opens);
    bytes[12] = std::byte{2};  // section header version 2.0
    bytes.resize(28);
    EXPECT_FALSE(check(bytes).opens);
}

TEST_F(PcapInputCheckTest, AFileThatCannotBeOpenedThrows) {
    EXPECT_THROW(check_pcap_input((dir / "missing.pcap").string()), std::system_error);
}

// Headers only: 64 MiB of 64-byte records (about 840,000) in well under a second.
TEST_F(PcapInputCheckTest, ALargeFileIsCheckedQuickly) {
    PcapFile f;
    while (f.size() < (64u << 20)) f.frame(64);
    const std::string path = (dir / "large.pcap").string();
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(f.bytes().data()), static_cast<std::streamsize>(f.size()));
    const auto start = std::chrono::steady_clock::now();
    const PcapInputCheck c = check_pcap_input(path);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_FALSE(c.damaged()) << c.problem;
    EXPECT_EQ(c.packets, (f.size() - 24) / 80);
    EXPECT_LT(took, std::chrono::milliseconds(500));
}

}  // namespace
}  // namespace sentinel::net
