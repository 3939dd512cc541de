// The block layouts and the filler that pads every buffer to a 4 KiB boundary.

#include "capture/pcapng_format.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "capture/journal_buffer.hpp"

namespace sentinel::capture {
namespace {

std::uint32_t u32(const std::byte* p) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

TEST(PcapngFormat, EnhancedPacketBlocksPadTheirDataToFourBytes) {
    EXPECT_EQ(pcapng::enhanced_packet_size(0), 32u);
    EXPECT_EQ(pcapng::enhanced_packet_size(1), 36u);
    EXPECT_EQ(pcapng::enhanced_packet_size(4), 36u);
    EXPECT_EQ(pcapng::enhanced_packet_size(1514), 1548u);

    std::vector<std::byte> block(pcapng::enhanced_packet_size(5), std::byte{0xEE});
    std::byte* data = pcapng::begin_enhanced_packet(block.data(), block.size(), 7, 0x0000'0001'0000'0002, 60, 5);
    EXPECT_EQ(data, block.data() + 28);
    pcapng::finish_enhanced_packet(block.data(), block.size(), 5);
    EXPECT_EQ(u32(&block[0]), pcapng::kEnhancedPacket);
    EXPECT_EQ(u32(&block[4]), 40u);
    EXPECT_EQ(u32(&block[8]), 7u);
    EXPECT_EQ(u32(&block[12]), 1u) << "timestamp high";
    EXPECT_EQ(u32(&block[16]), 2u) << "timestamp low";
    EXPECT_EQ(u32(&block[20]), 5u);
    EXPECT_EQ(u32(&block[24]), 60u);
    EXPECT_EQ(block[33], std::byte{0}) << "padding zeroed";
    EXPECT_EQ(block[35], std::byte{0});
    EXPECT_EQ(u32(&block[36]), 40u) << "trailing length";
}

TEST(PcapngFormat, SealPadsEveryGapToTheNextBoundaryWithOneFiller) {
    for (std::size_t used = 4; used < 3 * kBlockAlign; used += 4) {
        std::vector<std::byte> buffer(4 * kBlockAlign, std::byte{0xEE});
        const std::size_t end = seal(buffer.data(), used);
        ASSERT_EQ(end % kBlockAlign, 0u) << used;
        if (used % kBlockAlign == 0) {
            ASSERT_EQ(end, used) << "an aligned buffer needs no filler";
            continue;
        }
        const std::size_t gap = end - used;
        ASSERT_GE(gap, pcapng::kMinFillerSize) << used;
        ASSERT_LT(gap, kBlockAlign + pcapng::kMinFillerSize) << used;
        const std::byte* f = buffer.data() + used;
        ASSERT_EQ(u32(f), pcapng::kNameResolution);
        ASSERT_EQ(u32(f + 4), gap);
        ASSERT_EQ(u32(f + 8), 0u) << "nrb_record_end first: no records";
        ASSERT_EQ(u32(f + gap - 4), gap);
        ASSERT_EQ(u32(f + gap - 8), 0u) << "opt_endofopt before the trailing length";
    }
}

TEST(PcapngFormat, HeaderBlocksCarryTheirOptions) {
    std::vector<std::byte> out;
    pcapng::append_section_header(out, "sentinel");
    ASSERT_EQ(out.size(), 28u + 12u + 4u);  // fixed fields, shb_userappl "sentinel", end of options
    EXPECT_EQ(u32(&out[8]), pcapng::kByteOrderMagic);
    out.clear();
    pcapng::append_interface_description(out, "eth0", 1514);
    ASSERT_EQ(out.size(), 20u + 8u + 8u + 4u);  // fixed fields, if_name, if_tsresol, end of options
    EXPECT_EQ(u32(&out[12]), 1514u);
    EXPECT_EQ(out[16 + 8 + 4], std::byte{9}) << "if_tsresol: nanoseconds";
    out.clear();
    pcapng::append_interface_statistics(out, 1, 5, 100, 3);
    ASSERT_EQ(out.size(), 24u + 12u + 12u + 4u);  // fixed fields, isb_ifrecv, isb_ifdrop, end of options
}

}  // namespace
}  // namespace sentinel::capture
