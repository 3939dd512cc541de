// FeedStage and TopOfBookPublisher together, across threads: the feed stage (this thread) reads
// slots of Ethernet/IPv4/UDP frames carrying a MoldUDP64 stream, on lines A and B with one copy of
// each packet lost on one line or the other, and chains for some; the publisher drains the
// top-of-book ring on a thread of its own into a file. The file must hold exactly the changes a
// reference FeedEngine (no threads, no ring) produced, byte for byte, numbered in order; with a
// ring too small to keep up, what is missing must be exactly what tob_dropped_events counts, and
// every record that did arrive must still be the reference's of the same number. Also: frames
// that are not a whole UDP datagram are counted and skipped, and --book-out is written on request.

#include "net/feed_stage.hpp"

#include <gtest/gtest.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory_resource>
#include <random>
#include <vector>

#include "frames.hpp"
#include "net/mempool.hpp"
#include "net/top_of_book_publisher.hpp"
#include "net/verdict.hpp"
#include "net_eal.hpp"

namespace sentinel::net {
namespace {

using test::Bytes;

void put(Bytes& b, std::uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

Bytes itch_add(std::uint16_t locate, std::uint64_t ref, char side, std::uint32_t shares, std::uint32_t price) {
    Bytes m{'A'};
    put(m, locate, 2);
    put(m, 0, 2);
    put(m, ref, 6);  // the timestamp: any rising number
    put(m, ref, 8);
    m.push_back(static_cast<std::uint8_t>(side));
    put(m, shares, 4);
    for (char c : std::string_view("TEST    ")) m.push_back(static_cast<std::uint8_t>(c));
    put(m, price, 4);
    return m;
}

Bytes itch_delete(std::uint16_t locate, std::uint64_t ref) {
    Bytes m{'D'};
    put(m, locate, 2);
    put(m, 0, 2);
    put(m, ref, 6);
    put(m, ref, 8);
    return m;
}

Bytes itch_directory(std::uint16_t locate, std::string_view stock) {
    Bytes m{'R'};
    put(m, locate, 2);
    put(m, 0, 2);
    put(m, 1, 6);
    for (std::size_t i = 0; i < 8; ++i) m.push_back(static_cast<std::uint8_t>(i < stock.size() ? stock[i] : ' '));
    const char rest[] = {'Q', 'N', 0, 0, 0, 100, 'N', 'C', 'Z', ' ', 'P', 'N', 'N', '1', 'N', 0, 0, 0, 0, 'N'};
    m.insert(m.end(), std::begin(rest), std::end(rest));
    return m;
}

// Ethernet, IPv4 (no options), UDP to 233.54.12.111:26477, then the payload.
Bytes udp_frame(const Bytes& payload) {
    Bytes f(12, 0x02);
    put(f, 0x0800, 2);
    put(f, 0x45, 1);
    put(f, 0, 1);
    put(f, 20 + 8 + payload.size(), 2);
    put(f, 0, 4);
    put(f, 32, 1);
    put(f, 17, 1);
    put(f, 0, 2);
    put(f, 0x0a5a0001, 4);
    put(f, 0xe9360c6f, 4);
    put(f, 49152, 2);
    put(f, 26477, 2);
    put(f, 8 + payload.size(), 2);
    put(f, 0, 2);
    f.insert(f.end(), payload.begin(), payload.end());
    return f;
}

// A stream of `packets` MoldUDP64 packets of up to 8 messages: a directory of 16 instruments, then
// adds on both sides at random prices near each instrument's middle, and deletes of older orders.
std::vector<Bytes> mold_stream(std::size_t packets) {
    std::mt19937 rng(99);
    std::vector<Bytes> messages;
    for (std::uint16_t l = 1; l <= 16; ++l) messages.push_back(itch_directory(l, "SYM" + std::to_string(l)));
    std::vector<std::pair<std::uint16_t, std::uint64_t>> live;
    std::uint64_t ref = 1;
    while (messages.size() < packets * 5) {
        if (live.size() > 50 && rng() % 3 == 0) {
            const std::size_t i = rng() % live.size();
            messages.push_back(itch_delete(live[i].first, live[i].second));
            live[i] = live.back();
            live.pop_back();
            continue;
        }
        const auto locate = static_cast<std::uint16_t>(1 + rng() % 16);
        const char side = rng() % 2 ? 'B' : 'S';
        const std::uint32_t price = 100'000 + (side == 'B' ? 0u : 40u) + rng() % 20;  // near the top: it changes often
        messages.push_back(itch_add(locate, ref, side, 100 + rng() % 900, price));
        live.emplace_back(locate, ref++);
    }
    std::vector<Bytes> out;
    std::uint64_t sequence = 1;
    for (std::size_t at = 0; at < messages.size();) {
        const std::size_t n = std::min<std::size_t>(1 + rng() % 8, messages.size() - at);
        Bytes p;
        for (char c : std::string_view("STAGE00001")) p.push_back(static_cast<std::uint8_t>(c));
        put(p, sequence, 8);
        put(p, n, 2);
        for (std::size_t i = 0; i < n; ++i) {
            put(p, messages[at + i].size(), 2);
            p.insert(p.end(), messages[at + i].begin(), messages[at + i].end());
        }
        out.push_back(std::move(p));
        sequence += n;
        at += n;
    }
    return out;
}

struct NoRequests {
    void send(const feed::mold::Request&) {}
};
struct Recording {
    std::vector<feed::TopOfBook> tops;
    void on_top(const feed::TopOfBook& t) { tops.push_back(t); }
    void on_gap(std::uint64_t, std::uint64_t) {}
    void on_unrecoverable(std::uint64_t, std::uint64_t) {}
    void on_gap_closed(const feed::GapRecord&) {}
    void on_refused(const feed::RefusedPacket&) {}
    void on_reanchor(std::uint64_t, std::uint64_t) {}
};

const feed::BookConfig kBooks{.max_orders = 1 << 16, .max_levels = 1 << 14, .ladder_rungs = 1 << 16};

class FeedStageTest : public test::EalTest {
protected:
    void SetUp() override {
        test::EalTest::SetUp();
        packets_ = mold_stream(4'000);
        NoRequests none;
        feed::FeedEngine<NoRequests, Recording> reference(none, expected_, {}, kBooks);
        for (const Bytes& p : packets_) reference.on_packet(feed::Line::a, {reinterpret_cast<const std::byte*>(p.data()), p.size()}, 0, 0);
        ASSERT_GT(expected_.tops.size(), 1'000u);
        dir_ = std::filesystem::temp_directory_path() / ("feed_stage_test." + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    // Every packet once on A or B (the other line lost it), some twice; every fifth as a chain.
    // Runs the stage over them in batches of up to 64 slots, releasing the mbufs after each.
    void feed_all(FeedStage& stage, Mempool& pool) {
        std::mt19937 rng(5);
        std::vector<PacketSlot> batch;
        const auto flush = [&] {
            stage.on_events(batch, 0, true);
            for (PacketSlot& s : batch) rte_pktmbuf_free(s.mbuf);
            batch.clear();
        };
        for (std::size_t i = 0; i < packets_.size(); ++i) {
            const Bytes frame = udp_frame(packets_[i]);
            const int copies = rng() % 10 == 0 ? 2 : 1;
            for (int c = 0; c < copies; ++c) {
                const std::vector<std::size_t> chain{frame.size() / 2, frame.size() - frame.size() / 2};
                rte_mbuf* m = test::to_mbuf(pool.get(), frame, i % 5 == 0 ? std::span<const std::size_t>(chain)
                                                                           : std::span<const std::size_t>());
                ASSERT_NE(m, nullptr);
                batch.push_back(test::slot_of(m, (rng() % 2 ? kFeedA : kFeedB) | kCapture, rte_rdtsc()));
                if (batch.size() == 64) flush();
            }
        }
        flush();
    }

    std::vector<feed::TopOfBook> read_records(const std::filesystem::path& path, std::vector<std::uint64_t>& numbers) {
        std::ifstream in(path, std::ios::binary);
        const std::vector<char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::vector<feed::TopOfBook> records;
        for (std::size_t at = 0; at + feed::kTopOfBookHeaderSize <= data.size();) {
            std::uint16_t count;
            std::uint64_t first;
            std::memcpy(&count, data.data() + at + 6, 2);
            std::memcpy(&first, data.data() + at + 8, 8);
            for (std::uint16_t i = 0; i < count; ++i) {
                feed::TopOfBook t;
                std::memcpy(&t, data.data() + at + feed::kTopOfBookHeaderSize + i * feed::kTopOfBookRecordSize, sizeof t);
                records.push_back(t);
                numbers.push_back(first + i);
            }
            at += feed::kTopOfBookHeaderSize + count * feed::kTopOfBookRecordSize;
        }
        return records;
    }

    // The same book change, receive time aside (the reference had none).
    static bool same_change(feed::TopOfBook a, feed::TopOfBook b) {
        a.receive_time = b.receive_time = 0;
        return std::memcmp(&a, &b, sizeof a) == 0;
    }

    std::vector<Bytes> packets_;
    Recording expected_;
    std::filesystem::path dir_;
};

TEST_F(FeedStageTest, ThePublisherThreadWritesEveryChangeInOrder) {
    Mempool pool("feed_stage_test_a", 4095, static_cast<int>(rte_socket_id()));
    const TscClock clock(rte_rdtsc(), rte_get_tsc_hz());
    TopOfBookRing tops(std::allocator_arg, std::pmr::polymorphic_allocator<TopOfBookEvent>(std::pmr::new_delete_resource()),
                       std::size_t{1} << 16);
    TopOfBookPublisher publisher(nullptr, (dir_ / "tob").string(), false);
    tops.handle_events_with(publisher);
    FeedStage stage({.arbitration = {}, .books = kBooks, .book_out = (dir_ / "books").string()}, nullptr, &tops, clock,
                    *std::pmr::new_delete_resource());
    tops.start();
    feed_all(stage, pool);
    stage.finish(rte_rdtsc());
    ASSERT_TRUE(tops.drain_and_halt(std::chrono::seconds(10)));
    publisher.flush();

    EXPECT_EQ(stage.get(FeedStageCounter::tob_dropped_events), 0u);
    EXPECT_EQ(stage.engine().top_changes(), expected_.tops.size());
    std::vector<std::uint64_t> numbers;
    const std::vector<feed::TopOfBook> got = read_records(dir_ / "tob", numbers);
    ASSERT_EQ(got.size(), expected_.tops.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(numbers[i], i + 1);
        ASSERT_TRUE(same_change(got[i], expected_.tops[i])) << "record " << i + 1;
        ASSERT_NE(got[i].receive_time, 0u);
    }
    EXPECT_EQ(publisher.records(), got.size());
    EXPECT_EQ(stage.wire_to_book().samples(), packets_.size()) << "one sample per packet that delivered messages";
    EXPECT_EQ(stage.get(FeedStageCounter::frames), stage.engine().arbitration().get(feed::ArbitrationCounter::packets_a) +
                                                        stage.engine().arbitration().get(feed::ArbitrationCounter::packets_b));

    EXPECT_EQ(stage.write_books(), "");
    EXPECT_GT(std::filesystem::file_size(dir_ / "books"), 0u);
    EXPECT_EQ(stage.get(FeedStageCounter::book_dumps), 1u);
}

// Deterministic: the publisher is polled on this thread only after the whole stream, so the ring
// keeps the first 64 changes and every later one is dropped.
TEST_F(FeedStageTest, AFullRingDropsChangesThatTheNumbersShow) {
    Mempool pool("feed_stage_test_b", 4095, static_cast<int>(rte_socket_id()));
    const TscClock clock(rte_rdtsc(), rte_get_tsc_hz());
    TopOfBookRing tops(std::allocator_arg, std::pmr::polymorphic_allocator<TopOfBookEvent>(std::pmr::new_delete_resource()), 64);
    TopOfBookPublisher publisher(nullptr, (dir_ / "tob").string(), false);
    tops.handle_events_with(publisher);
    disruptor::EventProcessor& processor = *tops.start_on_caller_threads().front();
    FeedStage stage({.arbitration = {}, .books = kBooks, .book_out = {}}, nullptr, &tops, clock, *std::pmr::new_delete_resource());
    feed_all(stage, pool);
    processor.start_polling();
    while (processor.poll(1000) != 0) {
    }
    processor.stop_polling();
    publisher.flush();

    std::vector<std::uint64_t> numbers;
    const std::vector<feed::TopOfBook> got = read_records(dir_ / "tob", numbers);
    ASSERT_EQ(got.size(), 64u);
    EXPECT_EQ(stage.get(FeedStageCounter::tob_dropped_events), expected_.tops.size() - 64);
    for (std::size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(numbers[i], i + 1);
        ASSERT_TRUE(same_change(got[i], expected_.tops[i])) << "record " << i + 1;
    }
    EXPECT_EQ(stage.engine().top_changes(), expected_.tops.size()) << "the numbering counts the dropped ones";
}

TEST_F(FeedStageTest, FramesThatAreNotWholeDatagramsAreCountedAndSkipped) {
    Mempool pool("feed_stage_test_c", 1023, static_cast<int>(rte_socket_id()));
    const TscClock clock(rte_rdtsc(), rte_get_tsc_hz());
    FeedStage stage({.arbitration = {}, .books = kBooks, .book_out = {}}, nullptr, nullptr, clock, *std::pmr::new_delete_resource());
    Bytes truncated = udp_frame(packets_[0]);
    truncated.resize(truncated.size() - 5);
    Bytes arp(42, 0);
    arp[12] = 0x08;
    arp[13] = 0x06;
    std::vector<PacketSlot> slots;
    for (const Bytes& f : {truncated, arp, udp_frame(packets_[0])})
        slots.push_back(test::slot_of(test::to_mbuf(pool.get(), f), kFeedA, rte_rdtsc()));
    slots.push_back(slots.back());
    slots.back().verdict = kCapture;  // not the feed's
    stage.on_events(slots, 0, true);
    for (std::size_t i = 0; i < 3; ++i) rte_pktmbuf_free(slots[i].mbuf);
    EXPECT_EQ(stage.get(FeedStageCounter::frames), 3u);
    EXPECT_EQ(stage.get(FeedStageCounter::truncated_frames), 1u);
    EXPECT_EQ(stage.get(FeedStageCounter::not_udp), 1u);
    EXPECT_EQ(stage.engine().arbitration().get(feed::ArbitrationCounter::packets_a), 1u);
}

}  // namespace
}  // namespace sentinel::net
