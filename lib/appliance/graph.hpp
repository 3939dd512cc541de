#pragma once
// Graph: the appliance's packet graph as data, from the config and the plan. Pure: it names what
// to build and where to run it; the Pipeline (pipeline.hpp) builds it from DPDK resources.
//
//                                                 ┌─▶ capture ─┐
//   port P queue Q ─▶ RX (rx lcore) ─▶ ring ─▶ filter ─▶ forward ─┼─▶ release
//                                                 └─▶ feed ────┘
//                                                       └─▶ top-of-book ring ─▶ publisher
//   port Q queue R ─▶ ... ─▶ filter ─▶ feed ─┘  (line B on another port: the same engine)
//
// One ring per RX queue the plan lists, on the RX lcore's node. The filter writes each slot's
// verdict, one bit per rule; capture, forward and feed read it in parallel; release follows every
// other stage, so an mbuf is freed only after every stage has read it. Without capture, forward
// and feed, release is the ring's only stage. Stages run on the lcores the planner deals them
// (Plan::stage_lcore), the publisher on the lcore after the feed's. Lcores that share a CPU
// (--share-cpus) yield it when idle.
//
// Thread safety: make_graph is a pure function; a Graph is a plain value.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config.hpp"
#include "feed/order_books.hpp"
#include "net/verdict.hpp"
#include "platform/memory_region.hpp"
#include "platform/planner.hpp"

namespace sentinel::appliance {

enum class StageKind { filter, capture, forward, feed, release };

std::string_view to_string(StageKind kind) noexcept;

// One rule of a ring's filter: packets that match `expression` (libpcap syntax) get `verdict`.
struct FilterRule {
    net::Verdict verdict;
    std::string option;  // the option it comes from, for a message when it does not compile
    std::string expression;
};

struct StageSpec {
    StageKind kind;
    int lcore;
    std::vector<std::size_t> after;  // the ring's stages it follows, by index; empty: RX's
};

// Where a ring's capture stage writes: journal `journal`'s producer `producer`.
struct CaptureTarget {
    std::size_t journal;
    std::size_t producer;
};

struct RingSpec {
    int port;
    int queue;
    int rx_lcore;
    platform::MemoryRegion memory;  // the ring's slots
    int node;                       // where the plan puts them
    std::vector<FilterRule> rules;  // the filter stage's, in verdict order; empty without one
    std::vector<StageSpec> stages;  // each after the stages it follows; release last
    std::optional<CaptureTarget> capture;

    // The index of the ring's stage of `kind`, if it has one.
    std::optional<std::size_t> stage(StageKind kind) const noexcept;
};

// A capture journal: one --capture path with its own writer thread and files, taking the packets
// of a run of consecutive rings (the plan numbers rings node by node, so a run tends to keep to
// one node), its writer on the first one's node.
struct JournalSpec {
    std::string path;
    std::vector<std::size_t> rings;  // ring indices, in producer order
    int node;
};

// The feed: one engine, its books sized for --feed-max-orders, fed by the feed stage of every ring
// (a line per ring at most: check_feed_rings). Those stages run on one lcore, the first ring's
// feed stage's, which drives the engine from all of them in turn.
struct FeedSpec {
    feed::BookConfig books;
    std::optional<std::string> book_out;
    int lcore;
};

// The top-of-book publisher: it follows the feed, on the lcore after the first ring's feed stage.
struct PublisherSpec {
    int lcore;
};

struct Graph {
    std::vector<RingSpec> rings;  // in the plan's RX order: ring i uses TX queue i
    std::vector<JournalSpec> journals;
    std::optional<FeedSpec> feed;
    std::optional<PublisherSpec> publisher;
    int main_lcore;
    std::vector<int> shared_cpu_lcores;  // lcores another lcore shares a CPU with (--share-cpus): they yield when idle

    // Every lcore that runs a duty, ascending: RX lcores and the stages' lcores.
    std::vector<int> lcores() const;
};

// Throws std::invalid_argument naming the option when the feed would span more rings than lines
// (check_feed_rings) or --capture names more paths than there are rings, std::logic_error when
// the plan lacks a queue's ring region or worker.
Graph make_graph(const Config& config, const platform::Plan& plan);

}  // namespace sentinel::appliance
