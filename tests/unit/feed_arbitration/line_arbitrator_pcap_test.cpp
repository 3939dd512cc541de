// LineArbitrator end to end on scripts/gen_itch.py's impaired two-line captures: per-line loss,
// duplicates and reordering, line B drifting around A, and true gaps answered by a re-request
// server that caps its answers, takes a round trip and loses some. The sink must receive exactly
// messages 1..N, in order, each once, byte-identical to --messages-out, and report exactly the
// gaps --gaps-out lists; the counters must agree with the generator's summary.
//
// The generator runs from the source tree (python3); time is the capture's. The stream shrinks
// under sanitizers; SENTINEL_STRESS_EVENTS overrides its size.

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "arbitration_test_support.hpp"
#include "feed/line_arbitrator.hpp"
#include "feed/udp_frame.hpp"

namespace sentinel::feed {
namespace {

using namespace test;
using C = ArbitrationCounter;

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr std::uint64_t kDefaultMessages = 20'000;
#else
constexpr std::uint64_t kDefaultMessages = 200'000;
#endif

std::uint64_t messages() {
    const char* env = std::getenv("SENTINEL_STRESS_EVENTS");
    return env ? std::strtoull(env, nullptr, 10) : kDefaultMessages;
}

constexpr std::uint16_t kPortA = 26477;
constexpr std::uint16_t kPortB = 26478;

// One generator run's files, removed with it.
class Generated {
public:
    explicit Generated(const std::string& options) {
        const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = std::filesystem::temp_directory_path() /
               ("feed_arbitration_" + std::to_string(::getpid()) + "_" + test->name());
        std::filesystem::create_directories(dir_);
        const std::string command = "python3 " SENTINEL_SOURCE_ROOT "/scripts/gen_itch.py " + options +
                                    " --out " + path("feed.pcap") + " --messages-out " + path("messages") +
                                    " --gaps-out " + path("gaps") + " 2> " + path("summary");
        status_ = std::system(command.c_str());
        std::ifstream in(path("summary"));
        std::string word;
        while (in >> word)
            if (const std::size_t eq = word.find('='); eq != std::string::npos)
                summary_[word.substr(0, eq)] = std::strtoull(word.c_str() + eq + 1, nullptr, 10);
    }
    ~Generated() { std::filesystem::remove_all(dir_); }

    bool ok() const { return status_ == 0 && summary_.contains("messages"); }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    std::uint64_t summary(const std::string& key) const { return summary_.at(key); }

    // --messages-out: u16 big-endian length + message, each in sequence order from 1.
    std::vector<Bytes> reference() const {
        std::ifstream in(path("messages"), std::ios::binary);
        const std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::vector<Bytes> out;
        for (std::size_t at = 0; at + 2 <= raw.size();) {
            const std::size_t length = std::size_t(std::uint8_t(raw[at])) << 8 | std::uint8_t(raw[at + 1]);
            const auto* first = reinterpret_cast<const std::byte*>(raw.data() + at + 2);
            out.emplace_back(first, first + length);
            at += 2 + length;
        }
        return out;
    }

    // --gaps-out: 'FIRST COUNT' a line.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> gaps() const {
        std::ifstream in(path("gaps"));
        std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
        std::uint64_t first, count;
        while (in >> first >> count) out.emplace_back(first, count);
        return out;
    }

private:
    std::filesystem::path dir_;
    int status_ = -1;
    std::map<std::string, std::uint64_t> summary_;
};

// Checks each message against the reference as it comes, and records the gaps reported.
struct CheckingSink {
    explicit CheckingSink(const std::vector<Bytes>& messages) : reference(messages) {}

    void on_message(std::span<const std::byte> message, std::uint64_t sequence) {
        if (sequence != next || sequence > reference.size()) {
            ++out_of_order;
        } else if (!std::equal(message.begin(), message.end(), reference[sequence - 1].begin(),
                               reference[sequence - 1].end())) {
            ++different;
        }
        next = sequence + 1;
        ++delivered;
    }
    void on_gap(std::uint64_t first, std::uint64_t count) { gaps.emplace_back(first, count); }
    void on_unrecoverable(std::uint64_t /*first*/, std::uint64_t count) { unrecoverable += count; }
    void on_gap_closed(const GapRecord&) { ++closed; }
    void on_refused(const RefusedPacket&) { ++refused; }
    void on_reanchor(std::uint64_t, std::uint64_t) { ++reanchors; }
    std::uint64_t closed = 0;
    std::uint64_t refused = 0;
    std::uint64_t reanchors = 0;

    const std::vector<Bytes>& reference;
    std::uint64_t next = 1;
    std::uint64_t delivered = 0;
    std::uint64_t out_of_order = 0;
    std::uint64_t different = 0;
    std::uint64_t unrecoverable = 0;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> gaps;
};

// The re-request server across a network: each answer comes a round trip after its request, with
// at most `cap` messages, and every `lose_every`-th answer is lost.
class DelayedServer {
public:
    DelayedServer(const std::vector<Bytes>& messages, std::uint16_t cap, std::uint64_t round_trip_ns, int lose_every)
        : messages_(messages), cap_(cap), round_trip_ns_(round_trip_ns), lose_every_(lose_every) {}

    void send(const mold::Request& request) {
        ++requests;
        queue_.push_back({now_ + round_trip_ns_, request});
        most_pending = std::max(most_pending, queue_.size());
    }

    // Delivers every answer due by `now_ns`, in time order.
    template <class Arbitrator>
    void run_until(Arbitrator& arbitrator, std::uint64_t now_ns) {
        while (!queue_.empty() && queue_.front().due_ns <= now_ns) {
            const Pending p = queue_.front();
            queue_.pop_front();
            now_ = p.due_ns;
            if (++answers % lose_every_ == 0) continue;
            const std::uint64_t first = p.request.sequence;
            const std::uint64_t count = std::min<std::uint64_t>({p.request.count, cap_, messages_.size() + 1 - first});
            const std::string_view session(reinterpret_cast<const char*>(p.request.session.data()), 10);
            Bytes answer = header(session, first, static_cast<std::uint16_t>(count));
            for (std::uint64_t s = first; s < first + count; ++s) {
                put_be(answer, messages_[s - 1].size(), 2);
                answer.insert(answer.end(), messages_[s - 1].begin(), messages_[s - 1].end());
            }
            arbitrator.on_packet(Line::recovery, answer, now_);
        }
        now_ = now_ns;
    }

    bool idle() const { return queue_.empty(); }

    std::uint64_t requests = 0;
    std::uint64_t answers = 0;
    std::size_t most_pending = 0;

private:
    struct Pending {
        std::uint64_t due_ns;
        mold::Request request;
    };

    const std::vector<Bytes>& messages_;
    std::uint64_t cap_;
    std::uint64_t round_trip_ns_;
    int lose_every_;
    std::uint64_t now_ = 0;
    std::deque<Pending> queue_;
};

struct Replay {
    std::uint64_t frames = 0;
    std::uint64_t other = 0;  // frames to neither line
};

// Feeds the capture to the arbitrator in file order, at the capture's times, the server's answers
// in between; then lets time run until nothing is missing.
template <class Arbitrator>
Replay replay(const std::string& path, Arbitrator& arbitrator, DelayedServer& server) {
    Replay r;
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    const std::unique_ptr<pcap_t, decltype(&pcap_close)> pcap(
        pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf), &pcap_close);
    if (!pcap) {
        ADD_FAILURE() << "pcap_open_offline: " << path << ": " << errbuf;
        return r;
    }
    EXPECT_EQ(pcap_datalink(pcap.get()), DLT_EN10MB);
    pcap_pkthdr* h;
    const u_char* data;
    std::uint64_t now = 0;
    while (pcap_next_ex(pcap.get(), &h, &data) == 1) {
        ++r.frames;
        now = std::uint64_t(h->ts.tv_sec) * 1'000'000'000 + std::uint64_t(h->ts.tv_usec);  // nanoseconds, as opened
        server.run_until(arbitrator, now);
        arbitrator.on_timer(now);
        const UdpDatagram d = udp_datagram(std::span(reinterpret_cast<const std::byte*>(data), h->caplen));
        if (d.kind == FrameKind::udp && d.destination.port == kPortA) {
            arbitrator.on_packet(Line::a, d.payload, now);
        } else if (d.kind == FrameKind::udp && d.destination.port == kPortB) {
            arbitrator.on_packet(Line::b, d.payload, now);
        } else {
            ++r.other;
        }
    }
    for (int i = 0; i < 100'000 && (arbitrator.waiting() || !server.idle()); ++i) {
        now += 100'000;
        server.run_until(arbitrator, now);
        arbitrator.on_timer(now);
    }
    return r;
}

ArbitrationConfig pcap_config() {
    ArbitrationConfig c;
    c.max_request = 16;
    c.max_in_flight = 3;
    c.retry_ns = 2'000'000;
    return c;
}

TEST(LineArbitratorPcap, ImpairedTwoLineSessionIsDeliveredWholeWithTrueGapsRecovered) {
    const std::uint64_t n = messages();
    constexpr int kGaps = 20;
    const Generated g("--seed 11 --messages " + std::to_string(n) +
                      " --loss-a 0.02 --loss-b 0.02 --dup-a 0.01 --dup-b 0.01 --reorder-a 0.01 --reorder-b 0.01"
                      " --skew 6 --gaps " + std::to_string(kGaps));
    ASSERT_TRUE(g.ok()) << "gen_itch.py failed; see " << g.path("summary");
    const std::vector<Bytes> reference = g.reference();
    ASSERT_EQ(reference.size(), g.summary("messages"));
    const std::uint64_t total = reference.size();
    const std::uint64_t gap_messages = g.summary("gap_messages");

    CheckingSink sink(reference);
    DelayedServer server(reference, /*cap=*/5, /*round_trip_ns=*/300'000, /*lose_every=*/7);
    const ArbitrationConfig config = pcap_config();
    LineArbitrator<CheckingSink, DelayedServer> arbitrator(sink, server, config);
    const Replay r = replay(g.path("feed.pcap"), arbitrator, server);
    const ArbitrationCounters& k = arbitrator.counters();

    EXPECT_EQ(r.other, 0u);
    EXPECT_EQ(sink.delivered, total);
    EXPECT_EQ(sink.next, total + 1);
    EXPECT_EQ(sink.out_of_order, 0u);
    EXPECT_EQ(sink.different, 0u);
    EXPECT_EQ(sink.unrecoverable, 0u);
    EXPECT_EQ(sink.gaps, g.gaps()) << "the gaps reported, with their exact ranges";
    EXPECT_FALSE(arbitrator.waiting());

    EXPECT_EQ(k.get(C::packets_a), g.summary("line_a"));
    EXPECT_EQ(k.get(C::packets_b), g.summary("line_b"));
    EXPECT_EQ(k.get(C::messages), total);
    EXPECT_EQ(k.get(C::gaps), std::uint64_t{kGaps});
    EXPECT_EQ(k.get(C::gaps), g.summary("gaps"));
    EXPECT_EQ(k.get(C::missing_messages), gap_messages);
    EXPECT_EQ(k.get(C::recovered_messages), gap_messages);
    EXPECT_EQ(k.get(C::unrecoverable_messages), 0u);
    EXPECT_EQ(k.get(C::resyncs), 0u);
    EXPECT_EQ(k.get(C::buffer_overflows), 0u);
    // The lines carried every message but the gaps': the rest of their copies are duplicates.
    EXPECT_EQ(k.get(C::duplicates_a) + k.get(C::duplicates_b),
              k.get(C::messages_a) + k.get(C::messages_b) - (total - gap_messages));
    EXPECT_EQ(k.get(C::duplicates_recovery), k.get(C::messages_recovery) - gap_messages);
    EXPECT_GT(k.get(C::duplicates_a), 0u);
    EXPECT_GT(k.get(C::duplicates_b), 0u);
    EXPECT_EQ(k.get(C::rerequests), server.requests);
    EXPECT_GE(k.get(C::rerequests), gap_messages / 5) << "answers carry 5 messages at most";
    EXPECT_GT(k.get(C::rerequest_retries), 0u) << "one answer in 7 is lost";
    EXPECT_LE(server.most_pending, config.max_in_flight);
    EXPECT_EQ(k.get(C::session_ended), 1u);
    EXPECT_EQ(k.get(C::malformed_packets_a) + k.get(C::malformed_packets_b) + k.get(C::malformed_packets_recovery), 0u);
    EXPECT_EQ(k.get(C::foreign_session_packets_a) + k.get(C::foreign_session_packets_b), 0u);
}

TEST(LineArbitratorPcap, LineAAloneRecoversEveryLossAsAGap) {
    const std::uint64_t n = messages() / 4;
    const Generated g("--seed 12 --messages " + std::to_string(n) + " --only-a --loss-a 0.01 --reorder-a 0.01 --gaps 3");
    ASSERT_TRUE(g.ok()) << "gen_itch.py failed; see " << g.path("summary");
    const std::vector<Bytes> reference = g.reference();
    const std::uint64_t total = reference.size();

    CheckingSink sink(reference);
    DelayedServer server(reference, /*cap=*/1000, /*round_trip_ns=*/300'000, /*lose_every=*/1'000'000);
    LineArbitrator<CheckingSink, DelayedServer> arbitrator(sink, server, pcap_config());
    replay(g.path("feed.pcap"), arbitrator, server);
    const ArbitrationCounters& k = arbitrator.counters();

    EXPECT_EQ(sink.delivered, total);
    EXPECT_EQ(sink.out_of_order, 0u);
    EXPECT_EQ(sink.different, 0u);
    EXPECT_EQ(sink.gaps, g.gaps());
    EXPECT_EQ(k.get(C::gaps), g.summary("gaps"));
    EXPECT_EQ(k.get(C::recovered_messages), g.summary("gap_messages"));
    EXPECT_EQ(k.get(C::packets_a), g.summary("line_a"));
    EXPECT_EQ(k.get(C::packets_b), 0u);
    EXPECT_EQ(k.get(C::duplicates_a), 0u);
}

}  // namespace
}  // namespace sentinel::feed
