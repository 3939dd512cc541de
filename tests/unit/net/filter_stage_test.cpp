#include "net/filter_stage.hpp"

#include <gtest/gtest.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "frames.hpp"
#include "net/mempool.hpp"
#include "net/verdict.hpp"
#include "net_eal.hpp"

namespace sentinel::net {
namespace {

constexpr std::uint32_t kNotWritten = 0xdead'beef;  // what RX never writes: a slot the stage missed keeps it

class FilterStageTest : public test::EalTest {
protected:
    void SetUp() override {
        test::EalTest::SetUp();
        if (IsSkipped()) return;
        pool_ = std::make_unique<Mempool>(910, 255, static_cast<int>(rte_socket_id()));
    }
    void TearDown() override {
        for (const PacketSlot& slot : slots_) rte_pktmbuf_free(slot.mbuf);
        if (pool_) {
            EXPECT_EQ(pool_->in_use(), 0u);
        }
    }

    // `n` slots cycling through the sample frames, as RX fills them but with a verdict nobody wrote.
    void fill(std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            const test::Frame& f = frames_[i % frames_.size()];
            const bool jumbo = f.bytes.size() == test::kJumboLength;
            const std::vector<std::size_t> segments = jumbo ? test::jumbo_segments() : std::vector<std::size_t>{};
            rte_mbuf* m = test::to_mbuf(pool_->get(), f.bytes, segments);
            slots_.push_back(test::slot_of(m, kNotWritten));
        }
    }
    const std::string& name_of(std::size_t slot) const { return frames_[slot % frames_.size()].name; }

    static std::vector<FilterRule> rules(std::initializer_list<std::pair<Verdict, const char*>> list) {
        std::vector<FilterRule> out;
        for (const auto& [bit, expression] : list) out.push_back({bit, PacketFilter(expression)});
        return out;
    }

    const std::vector<test::Frame> frames_ = test::sample_frames();
    std::unique_ptr<Mempool> pool_;
    std::vector<PacketSlot> slots_;
};

TEST_F(FilterStageTest, VerdictIsTheBitsOfTheMatchingRules) {
    FilterStage stage(rules({{kCapture, "udp"}, {kForward, "tcp or icmp or udp port 53"}}));
    fill(frames_.size());
    stage.on_events(slots_, 0, true);
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        const std::string& name = name_of(i);
        std::uint32_t expected = 0;
        if (name == "ipv4_udp_dns") expected = kCapture | kForward;
        if (name == "ipv4_udp_feed" || name == "ipv6_udp" || name == "jumbo_udp") expected = kCapture;
        if (name == "ipv6_udp") expected |= kForward;  // its destination port is 53 too
        if (name == "ipv4_tcp_syn" || name == "ipv4_tcp_ack" || name == "ipv4_icmp") expected = kForward;
        EXPECT_EQ(slots_[i].verdict, expected) << name;
    }
}

TEST_F(FilterStageTest, EmptyExpressionSetsItsBitOnEverySlot) {
    FilterStage stage(rules({{kCapture, ""}, {kForward, "arp"}}));
    fill(frames_.size());
    stage.on_events(slots_, 0, true);
    for (std::size_t i = 0; i < slots_.size(); ++i)
        EXPECT_EQ(slots_[i].verdict, name_of(i) == "arp_request" ? kCapture | kForward : kCapture) << name_of(i);
}

TEST_F(FilterStageTest, NoRulesClearsTheVerdict) {
    FilterStage stage({});
    fill(3);
    stage.on_events(slots_, 0, true);
    for (const PacketSlot& slot : slots_) EXPECT_EQ(slot.verdict, 0u);
}

// Spans shorter and longer than the prefetch distances, as the processor hands them over.
TEST_F(FilterStageTest, EverySlotOfEverySpanLength) {
    FilterStage stage(rules({{kForward, "tcp"}}));
    const PacketFilter tcp("tcp");
    fill(1 + 3 + 8 + 9 + 40);
    const std::span<PacketSlot> all(slots_);
    std::size_t at = 0;
    for (const std::size_t n : {1, 3, 8, 9, 40}) {
        stage.on_events(all.subspan(at, n), static_cast<std::int64_t>(at), n == 40);
        at += n;
    }
    for (std::size_t i = 0; i < slots_.size(); ++i)
        EXPECT_EQ(slots_[i].verdict, tcp.matches(slots_[i].mbuf) ? kForward : 0u) << "slot " << i;
}

// A frame in one segment is filtered from the slot (a stand-in header, FrameHeader), a chain
// through its mbuf: every expression must decide every frame as it does on the mbuf itself,
// lengths and loads past the end included.
TEST_F(FilterStageTest, FromTheSlotAsThroughTheMbuf) {
    fill(frames_.size());
    for (const char* expression :
         {"udp", "len = 60", "greater 100", "less 61", "ether[59] = 0", "ether[60] = 0", "ether[998:4] != 0",
          "udp[8:4] != 0", "tcp[tcpflags] & tcp-syn != 0", "vlan and udp", "ip6 and udp port 53",
          "ip[2:2] > 40", "ether[12:2] = 0x0806"}) {
        FilterStage stage(rules({{kCapture, expression}}));
        const PacketFilter filter(expression);
        stage.on_events(slots_, 0, true);
        for (std::size_t i = 0; i < slots_.size(); ++i)
            EXPECT_EQ(slots_[i].verdict, filter.matches(slots_[i].mbuf) ? kCapture : 0u)
                << "'" << expression << "' on " << name_of(i) << (slots_[i].contiguous() ? " (one segment)" : " (a chain)");
    }
}

TEST_F(FilterStageTest, RejectsRulesThatShareOrLackABit) {
    EXPECT_THROW(FilterStage(rules({{kCapture, "udp"}, {kCapture, "tcp"}})), std::invalid_argument);
    EXPECT_THROW(FilterStage(rules({{static_cast<Verdict>(0), "udp"}})), std::invalid_argument);
    EXPECT_THROW(FilterStage(rules({{static_cast<Verdict>(kCapture | kForward), "udp"}})), std::invalid_argument);
    std::vector<FilterRule> many;
    for (std::uint32_t i = 0; i <= FilterStage::kMaxRules; ++i) many.push_back({static_cast<Verdict>(1u << i), PacketFilter("")});
    EXPECT_THROW(FilterStage(std::move(many)), std::invalid_argument);
}

}  // namespace
}  // namespace sentinel::net
