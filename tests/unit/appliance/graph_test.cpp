// make_graph: the stage graph and its placement for 1..N ports and queues and each mix of capture,
// forward and feed, from plans of synthetic machines. No EAL, no hugepages.

#include "appliance/graph.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "appliance/journal_buffers.hpp"
#include "appliance/plan_request.hpp"
#include "platform/topology.hpp"
#include "command_line.hpp"

namespace sentinel::appliance {
namespace {

using test::config;

using platform::MemoryRegion;


// Two sockets of 8 cores: room for every duty to have a CPU of its own.
const platform::Topology& server() {
    static const platform::Topology t = platform::Topology::from_synthetic("pack:2 [numa] l3:1 core:8 pu:1");
    return t;
}

// The plan a run makes (plan_request) for `ports` ports on alternate nodes with `queues` queues each.
platform::Plan plan_for(int ports, int queues, int workers = 1, const platform::Topology& machine = server()) {
    Config c;
    c.rx_queues = queues;
    std::vector<platform::PortRequest> requests;
    for (int p = 0; p < ports; ++p) requests.push_back({.port = p, .numa_node = p % 2});
    platform::PlanRequest r = plan_request(c, {}, requests);
    r.workers_per_rx_queue = workers;
    return platform::make_plan(machine, r);
}

std::vector<StageKind> kinds(const RingSpec& ring) {
    std::vector<StageKind> k;
    for (const StageSpec& s : ring.stages) k.push_back(s.kind);
    return k;
}

using enum StageKind;

TEST(Graph, WithoutOutputsReleaseAloneFollowsRx) {
    const platform::Plan plan = plan_for(1, 1);
    const Graph g = make_graph(config({}), plan);
    ASSERT_EQ(g.rings.size(), 1u);
    const RingSpec& r = g.rings[0];
    EXPECT_EQ(kinds(r), std::vector<StageKind>{release});
    EXPECT_TRUE(r.stages[0].after.empty());
    EXPECT_TRUE(r.rules.empty());
    EXPECT_EQ(r.memory, MemoryRegion::ring(0, 0));
    EXPECT_EQ(r.memory.name(), "ring.port0.rx0");
    EXPECT_EQ(r.node, plan.node_of(r.memory));
    EXPECT_EQ(r.stages[0].lcore, plan.stage_lcore(0, 0, 0));
    EXPECT_NE(r.stages[0].lcore, r.rx_lcore);
    EXPECT_EQ(g.main_lcore, plan.main_lcore());
    EXPECT_FALSE(g.feed);
    EXPECT_FALSE(g.publisher);
}

TEST(Graph, FilterFeedsEveryOutputInParallelAndReleaseFollowsThemAll) {
    const Graph g = make_graph(config({"--capture", "c.pcapng", "--capture-filter", "tcp", "--forward", "1",
                                      "--feed", "itch50", "--feed-a", "233.54.12.111:26477",
                                      "--feed-b", "233.54.12.112:26478"}),
                               plan_for(1, 1));
    const RingSpec& r = g.rings.at(0);
    EXPECT_EQ(kinds(r), (std::vector<StageKind>{filter, capture, forward, feed, release}));
    EXPECT_TRUE(r.stages[0].after.empty());
    for (std::size_t i = 1; i <= 3; ++i) EXPECT_EQ(r.stages[i].after, std::vector<std::size_t>{0}) << i;
    EXPECT_EQ(r.stages[4].after, (std::vector<std::size_t>{1, 2, 3}));
    EXPECT_EQ(r.stage(feed), 3u);
    EXPECT_EQ(r.stage(filter), 0u);

    ASSERT_EQ(r.rules.size(), 4u);
    EXPECT_EQ(r.rules[0].verdict, net::Verdict::kCapture);
    EXPECT_EQ(r.rules[0].expression, "tcp");
    EXPECT_EQ(r.rules[1].verdict, net::Verdict::kForward);
    EXPECT_EQ(r.rules[1].expression, "");  // every packet
    EXPECT_EQ(r.rules[2].verdict, net::Verdict::kFeedA);
    EXPECT_EQ(r.rules[2].option, "--feed-a");
    EXPECT_EQ(r.rules[2].expression,
              "(udp and dst host 233.54.12.111 and dst port 26477) or (vlan and udp and dst host 233.54.12.111 and dst "
              "port 26477)");
    EXPECT_EQ(r.rules[3].verdict, net::Verdict::kFeedB);
    ASSERT_TRUE(g.feed);
    EXPECT_EQ(g.feed->books.max_orders, Config::kFeedMaxOrders);
    EXPECT_FALSE(g.publisher);  // nothing to publish to
}

TEST(Graph, EachOutputAloneGetsTheFilterAndRelease) {
    EXPECT_EQ(kinds(make_graph(config({"--capture", "c"}), plan_for(1, 1)).rings[0]),
              (std::vector<StageKind>{filter, capture, release}));
    EXPECT_EQ(kinds(make_graph(config({"--forward", "1"}), plan_for(1, 1)).rings[0]),
              (std::vector<StageKind>{filter, forward, release}));
    EXPECT_EQ(kinds(make_graph(config({"--feed", "itch50", "--feed-b", "233.0.0.1:1"}), plan_for(1, 1)).rings[0]),
              (std::vector<StageKind>{filter, feed, release}));
    EXPECT_EQ(kinds(make_graph(config({"--capture", "c", "--forward", "1"}), plan_for(1, 1)).rings[0]),
              (std::vector<StageKind>{filter, capture, forward, release}));
}

TEST(Graph, RecoveryAnswersHaveTheirOwnRule) {
    const Graph g = make_graph(config({"--feed", "itch50", "--feed-a", "233.0.0.1:1", "--rerequest-server", "10.0.0.1:9000",
                                      "--rerequest-source", "10.0.0.2:9001", "--feed-tx", "0"}),
                               plan_for(1, 1));
    const std::vector<FilterRule>& rules = g.rings[0].rules;
    ASSERT_EQ(rules.size(), 2u);
    EXPECT_EQ(rules[1].verdict, net::Verdict::kFeedRecovery);
    EXPECT_EQ(rules[1].expression,
              "(udp and src host 10.0.0.1 and src port 9000 and dst host 10.0.0.2 and dst port 9001) or (vlan and udp "
              "and src host 10.0.0.1 and src port 9000 and dst host 10.0.0.2 and dst port 9001)");
}

TEST(Graph, BooksAreSizedByFeedMaxOrders) {
    const Graph g = make_graph(config({"--feed", "itch50", "--feed-a", "233.0.0.1:1", "--feed-max-orders", "100000",
                                      "--book-out", "books.txt"}),
                               plan_for(1, 1));
    EXPECT_EQ(g.feed->books.max_orders, 100000u);
    EXPECT_EQ(g.feed->books.max_levels, 25000u);
    EXPECT_EQ(g.feed->books.ladder_rungs, 100000u);
    EXPECT_EQ(g.feed->book_out, "books.txt");
    EXPECT_EQ(feed::BookConfig::for_orders(2048).max_levels, 1024u);  // never fewer levels than 1024
}

TEST(Graph, ThePublisherRunsOnTheWorkerAfterTheFeeds) {
    const char* feed_with_tob[] = {"--feed", "itch50", "--feed-a", "233.0.0.1:1", "--tob-out", "tob.bin"};
    for (const int workers : {1, 2, 3}) {
        const platform::Plan plan = plan_for(1, 1, workers);
        const Graph g = make_graph(config({feed_with_tob[0], feed_with_tob[1], feed_with_tob[2], feed_with_tob[3],
                                          feed_with_tob[4], feed_with_tob[5]}),
                                   plan);
        ASSERT_TRUE(g.publisher) << workers;
        const std::size_t feed_stage = *g.rings[0].stage(feed);
        EXPECT_EQ(g.publisher->lcore, plan.stage_lcore(0, 0, feed_stage + 1)) << workers;
    }
}

TEST(Graph, StagesAreDealtOverTheQueuesWorkersInOrder) {
    const platform::Plan plan = plan_for(1, 1, 2);
    const Graph g = make_graph(config({"--capture", "c", "--forward", "1"}), plan);
    const RingSpec& r = g.rings[0];
    ASSERT_EQ(r.stages.size(), 4u);
    EXPECT_NE(r.stages[0].lcore, r.stages[1].lcore);
    EXPECT_EQ(r.stages[0].lcore, r.stages[2].lcore);
    EXPECT_EQ(r.stages[1].lcore, r.stages[3].lcore);
    for (const StageSpec& s : r.stages) EXPECT_NE(s.lcore, r.rx_lcore);
}

TEST(Graph, OneRingPerQueueOfEveryPort) {
    for (const int ports : {1, 2, 3})
        for (const int queues : {1, 2}) {
            const platform::Plan plan = plan_for(ports, queues);
            const Graph g = make_graph(config({"--capture", "c", "--forward", "9"}), plan);
            ASSERT_EQ(g.rings.size(), static_cast<std::size_t>(ports * queues)) << ports << "x" << queues;
            std::set<int> rx_lcores;
            std::set<std::string> names;
            for (const RingSpec& r : g.rings) {
                rx_lcores.insert(r.rx_lcore);
                names.insert(r.memory.name());
                EXPECT_EQ(r.memory, MemoryRegion::ring(r.port, r.queue));
                EXPECT_EQ(r.node, r.port % 2) << "a ring on its port's node";
                EXPECT_EQ(kinds(r), (std::vector<StageKind>{filter, capture, forward, release}));
                for (std::size_t i = 0; i < r.stages.size(); ++i)
                    EXPECT_EQ(r.stages[i].lcore, plan.stage_lcore(r.port, r.queue, i));
                EXPECT_NE(r.rx_lcore, g.main_lcore) << "RX never shares main";
            }
            EXPECT_EQ(rx_lcores.size(), g.rings.size()) << "an RX lcore per ring";
            EXPECT_EQ(names.size(), g.rings.size());
            // The plan's RX order, which the journal's producers and the TX queues follow too.
            std::size_t i = 0;
            for (const platform::LcoreAssignment& a : plan.lcores) {
                if (a.role != platform::Role::rx) continue;
                ASSERT_LT(i, g.rings.size());
                EXPECT_EQ(std::pair(g.rings[i].port, g.rings[i].queue), std::pair(a.port, a.queue));
                EXPECT_EQ(g.rings[i++].rx_lcore, a.lcore);
            }
            const std::vector<int> lcores = g.lcores();
            for (const RingSpec& r : g.rings) EXPECT_TRUE(std::ranges::binary_search(lcores, r.rx_lcore));
        }
}

TEST(Graph, TheFeedOverMoreRingsThanLinesIsRefused) {
    const Config c = config({"--feed", "itch50", "--feed-a", "233.0.0.1:1"});
    try {
        make_graph(c, plan_for(2, 1));
        ADD_FAILURE() << "one line over two rings";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "--feed reads each line from one RX ring, and this run would spread its 1 line over 2 "
                               "rings: receive with at most one ring per line (--ports and --rx-queues), e.g. line A "
                               "on one port and line B on another");
    }
}

// Line A on one port, line B on another: each ring's feed stage feeds the one engine, all on the
// first ring's feed lcore; the publisher follows it.
TEST(Graph, LinesOnTwoPortsFeedOneEngineOnOneLcore) {
    for (const int workers : {1, 2}) {
        const platform::Plan plan = plan_for(2, 1, workers);
        const Graph g = make_graph(config({"--feed", "itch50", "--feed-a", "233.0.0.1:1", "--feed-b", "233.0.0.2:2",
                                           "--capture", "c", "--tob-out", "t"}),
                                   plan);
        ASSERT_EQ(g.rings.size(), 2u);
        ASSERT_TRUE(g.feed);
        const RingSpec& first = g.rings[0];
        EXPECT_EQ(g.feed->lcore, plan.stage_lcore(first.port, first.queue, *first.stage(feed)));
        for (const RingSpec& r : g.rings) {
            EXPECT_EQ(kinds(r), (std::vector<StageKind>{filter, capture, feed, release}));
            EXPECT_EQ(r.stages[*r.stage(feed)].lcore, g.feed->lcore) << r.memory.name();
            EXPECT_EQ(r.rules.size(), 3u) << "capture, line A, line B: either line may come on either ring";
        }
        EXPECT_EQ(g.publisher->lcore, plan.stage_lcore(first.port, first.queue, *first.stage(feed) + 1));
    }
}

TEST(Graph, ASmallMachineRunsStagesBesideMain) {
    const platform::Topology two = platform::Topology::from_synthetic("pack:1 [numa] core:2 pu:1");
    const platform::Plan plan = plan_for(1, 1, 1, two);
    const Graph g = make_graph(config({"--capture", "c"}), plan);
    for (const StageSpec& s : g.rings[0].stages) EXPECT_EQ(s.lcore, g.main_lcore);
    EXPECT_NE(g.rings[0].rx_lcore, g.main_lcore);
    EXPECT_EQ(g.lcores(), (std::vector<int>{0, 1}));
}

TEST(PlanRequest, ARingAndWithCaptureJournalBuffersPerQueue) {
    const Config c = config({"--rx-queues", "2", "--ring-size", "1024", "--capture", "c", "--refuse-cross-node",
                            "--port-numa-node", "1", "--share-cpus"});
    platform::PlanRequest r =
        plan_request(c, {{4, 4}, {5, 5}, {6, 4}}, {{.port = 0, .numa_node = -1}, {.port = 3, .numa_node = 0}});
    ASSERT_EQ(r.operator_lcores.size(), 3u);
    EXPECT_EQ(r.operator_lcores[2].lcore, 6);
    EXPECT_EQ(r.operator_lcores[2].cpu, 4);
    EXPECT_TRUE(r.share_cpus);
    EXPECT_TRUE(r.refuse_cross_node);
    EXPECT_EQ(r.port_numa_node, 1);
    ASSERT_EQ(r.ports.size(), 2u);
    EXPECT_EQ(r.ports[1].port, 3);
    EXPECT_EQ(r.ports[1].rx_queues, 2);
    ASSERT_EQ(r.memory.size(), 4u);
    EXPECT_EQ(r.memory[3].region, MemoryRegion::ring(3, 1));
    EXPECT_EQ(r.memory[3].bytes, 1024u * 64);  // a cache line per slot
    add_journal_buffers(r, c);
    ASSERT_EQ(r.memory.size(), 8u);
    EXPECT_EQ(r.memory[5].region, MemoryRegion::journal(0, 1));
    EXPECT_EQ(r.memory[5].bytes, kJournalBuffersPerRing * capture::journal_sizing(0, c.snaplen).buffer_bytes);
}

TEST(Graph, LcoresThatShareACpuYieldIt) {
    const platform::Topology two = platform::Topology::from_synthetic("pack:1 [numa] core:2 pu:1");
    const Config c = config({"--rx-queues", "2", "--share-cpus"});
    const platform::Plan plan =
        platform::make_plan(two, plan_request(c, {{0, 0}, {1, 1}, {2, 0}, {3, 1}}, {{.port = 0, .numa_node = 0}}));
    const Graph g = make_graph(c, plan);
    ASSERT_EQ(g.rings.size(), 2u);
    EXPECT_NE(g.rings[0].rx_lcore, g.rings[1].rx_lcore);
    EXPECT_EQ(g.shared_cpu_lcores, (std::vector<int>{0, 1, 2, 3}));
    EXPECT_TRUE(make_graph(config({}), plan_for(1, 1)).shared_cpu_lcores.empty());
}

// Each --capture path takes a run of consecutive rings, as even as they divide.
TEST(Graph, CapturePathsTakeRunsOfRings) {
    const Graph g = make_graph(config({"--capture", "/d1/c,/d2/c"}), plan_for(2, 2));
    ASSERT_EQ(g.journals.size(), 2u);
    EXPECT_EQ(g.journals[0].path, "/d1/c");
    EXPECT_EQ(g.journals[0].rings, (std::vector<std::size_t>{0, 1}));
    EXPECT_EQ(g.journals[1].rings, (std::vector<std::size_t>{2, 3}));
    for (std::size_t r = 0; r < 4; ++r) {
        ASSERT_TRUE(g.rings[r].capture);
        EXPECT_EQ(g.rings[r].capture->journal, r / 2);
        EXPECT_EQ(g.rings[r].capture->producer, r % 2);
    }
    EXPECT_EQ(g.journals[1].node, g.rings[2].node);
    const Graph three = make_graph(config({"--capture", "/a/c,/b/c,/c/c"}), plan_for(1, 4));
    EXPECT_EQ(three.journals[0].rings.size() + three.journals[1].rings.size() + three.journals[2].rings.size(), 4u);
    EXPECT_FALSE(make_graph(config({}), plan_for(1, 1)).rings[0].capture);
    try {
        make_graph(config({"--capture", "/a/c,/b/c,/c/c"}), plan_for(1, 2));
        ADD_FAILURE() << "three paths for two rings";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "--capture names 3 paths for 2 rings: each path takes at least one ring's packets; give at most 2");
    }
}

TEST(Graph, APlanWithoutTheRingsRegionIsTheCallersBug) {
    platform::PlanRequest r;
    r.ports.push_back({.port = 0, .numa_node = 0, .rx_queues = 1});
    EXPECT_THROW(make_graph(config({}), platform::make_plan(server(), r)), std::logic_error);
}

}  // namespace
}  // namespace sentinel::appliance
