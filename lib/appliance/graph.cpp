#include "graph.hpp"

#include <algorithm>
#include <iterator>
#include <stdexcept>

namespace sentinel::appliance {
namespace {

std::string dotted(std::uint32_t address) {
    return std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 0xff) + "." +
           std::to_string((address >> 8) & 0xff) + "." + std::to_string(address & 0xff);
}

// UDP datagrams to `e`, VLAN-tagged or not: a feed line.
std::string udp_to(const feed::UdpEndpoint& e) {
    const std::string match = "udp and dst host " + dotted(e.address) + " and dst port " + std::to_string(e.port);
    return "(" + match + ") or (vlan and " + match + ")";
}

// ... and from `from` to `to`: the recovery server's answers.
std::string udp_between(const feed::UdpEndpoint& from, const feed::UdpEndpoint& to) {
    const std::string match = "udp and src host " + dotted(from.address) + " and src port " + std::to_string(from.port) +
                              " and dst host " + dotted(to.address) + " and dst port " + std::to_string(to.port);
    return "(" + match + ") or (vlan and " + match + ")";
}

std::vector<FilterRule> filter_rules(const Config& c) {
    std::vector<FilterRule> rules;
    if (!c.capture.empty()) rules.push_back({net::Verdict::kCapture, "--capture-filter", c.capture_filter});
    if (c.forward) rules.push_back({net::Verdict::kForward, "--forward-filter", c.forward_filter});
    if (c.feed) {
        if (c.feed_a) rules.push_back({net::Verdict::kFeedA, "--feed-a", udp_to(*c.feed_a)});
        if (c.feed_b) rules.push_back({net::Verdict::kFeedB, "--feed-b", udp_to(*c.feed_b)});
        if (c.rerequest_server)
            rules.push_back({net::Verdict::kFeedRecovery, "--rerequest-server",
                             udp_between(*c.rerequest_server, *c.rerequest_source)});
    }
    return rules;
}

// The ring's stages, dealt over its worker lcores in build order: filter ─▶ {capture, forward,
// feed} ─▶ release, or release alone.
std::vector<StageSpec> stages(const Config& c, const platform::Plan& plan, int port, int queue, bool filtered) {
    std::vector<StageSpec> stages;
    const auto add = [&](StageKind kind, std::vector<std::size_t> after) {
        stages.push_back({kind, plan.stage_lcore(port, queue, stages.size()), std::move(after)});
    };
    if (!filtered) {
        add(StageKind::release, {});
        return stages;
    }
    add(StageKind::filter, {});
    if (!c.capture.empty()) add(StageKind::capture, {0});
    if (c.forward) add(StageKind::forward, {0});
    if (c.feed) add(StageKind::feed, {0});
    std::vector<std::size_t> readers(stages.size() - 1);
    for (std::size_t i = 0; i < readers.size(); ++i) readers[i] = i + 1;
    add(StageKind::release, std::move(readers));
    return stages;
}

// Each --capture path takes a run of consecutive rings, as even as they divide.
void deal_journals(const Config& c, Graph& g) {
    const std::size_t paths = c.capture.size(), rings = g.rings.size();
    if (paths > rings)
        throw std::invalid_argument("--capture names " + std::to_string(paths) + " paths for " + std::to_string(rings) +
                                    (rings == 1 ? " ring" : " rings") +
                                    ": each path takes at least one ring's packets; give at most " + std::to_string(rings));
    for (std::size_t j = 0; j < paths; ++j) {
        JournalSpec& journal = g.journals.emplace_back(JournalSpec{.path = c.capture[j], .rings = {}, .node = 0});
        for (std::size_t r = j * rings / paths; r < (j + 1) * rings / paths; ++r) {
            g.rings[r].capture = CaptureTarget{.journal = j, .producer = journal.rings.size()};
            journal.rings.push_back(r);
        }
        journal.node = g.rings[journal.rings.front()].node;
    }
}

}  // namespace

std::string_view to_string(StageKind kind) noexcept {
    switch (kind) {
    case StageKind::filter: return "filter";
    case StageKind::capture: return "capture";
    case StageKind::forward: return "forward";
    case StageKind::feed: return "feed";
    case StageKind::release: return "release";
    }
    return "?";
}

std::optional<std::size_t> RingSpec::stage(StageKind kind) const noexcept {
    const auto it = std::ranges::find(stages, kind, &StageSpec::kind);
    if (it == stages.end()) return std::nullopt;
    return static_cast<std::size_t>(it - stages.begin());
}

std::vector<int> Graph::lcores() const {
    std::vector<int> lcores;
    for (const RingSpec& r : rings) {
        lcores.push_back(r.rx_lcore);
        for (const StageSpec& s : r.stages) lcores.push_back(s.lcore);
    }
    if (publisher) lcores.push_back(publisher->lcore);
    std::ranges::sort(lcores);
    lcores.erase(std::unique(lcores.begin(), lcores.end()), lcores.end());
    return lcores;
}

Graph make_graph(const Config& c, const platform::Plan& plan) {
    Graph g{.rings = {}, .journals = {}, .feed = {}, .publisher = {}, .main_lcore = plan.main_lcore(),
            .shared_cpu_lcores = {}};
    const std::vector<FilterRule> rules = filter_rules(c);
    for (const platform::LcoreAssignment& a : plan.lcores) {
        if (a.role != platform::Role::rx) continue;
        const platform::MemoryRegion memory = platform::MemoryRegion::ring(a.port, a.queue);
        g.rings.push_back({.port = a.port, .queue = a.queue, .rx_lcore = a.lcore, .memory = memory,
                           .node = plan.node_of(memory), .rules = rules,
                           .stages = stages(c, plan, a.port, a.queue, !rules.empty()), .capture = {}});
    }
    deal_journals(c, g);
    check_feed_rings(c, g.rings.size());
    for (const int lcore : g.lcores())
        if (plan.shares_cpu(lcore)) g.shared_cpu_lcores.push_back(lcore);
    if (c.feed) {
        const RingSpec& first = g.rings.front();
        const std::size_t feed_stage = *first.stage(StageKind::feed);
        g.feed = FeedSpec{.books = feed::BookConfig::for_orders(c.feed_max_orders.value_or(Config::kFeedMaxOrders)),
                          .book_out = c.book_out,
                          .lcore = first.stages[feed_stage].lcore};
        for (RingSpec& ring : g.rings) ring.stages[*ring.stage(StageKind::feed)].lcore = g.feed->lcore;
        if (c.tob_multicast || c.tob_out)
            g.publisher = PublisherSpec{.lcore = plan.stage_lcore(first.port, first.queue, feed_stage + 1)};
    }
    return g;
}

}  // namespace sentinel::appliance
