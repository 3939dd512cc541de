#include "planner.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

namespace sentinel::platform {

std::string_view to_string(Role role) noexcept {
    switch (role) {
    case Role::main: return "main";
    case Role::rx: return "rx";
    case Role::worker: return "worker";
    }
    return "unknown";
}

namespace {

std::vector<int> sorted_unique(std::vector<int> cpus) {
    std::ranges::sort(cpus);
    const auto repeats = std::ranges::unique(cpus);
    cpus.erase(repeats.begin(), repeats.end());
    return cpus;
}

// "0-7,16-23": the form taskset and EAL's -l take, so a message's list can be pasted back.
std::string cpu_list(const std::vector<int>& unsorted) {
    const std::vector<int> cpus = sorted_unique(unsorted);
    std::string text;
    for (std::size_t i = 0; i < cpus.size();) {
        std::size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1)
            ++j;
        if (!text.empty())
            text += ',';
        text += std::to_string(cpus[i]);
        if (j > i) {
            text += '-';
            text += std::to_string(cpus[j]);
        }
        i = j + 1;
    }
    return text.empty() ? "none" : text;
}

std::string node_list(std::span<const int> nodes) {
    return cpu_list(std::vector<int>(nodes.begin(), nodes.end()));
}

std::string duty_name(const LcoreAssignment& a) {
    std::string name(to_string(a.role));
    if (a.role != Role::main)
        name += " port=" + std::to_string(a.port) + " queue=" + std::to_string(a.queue);
    if (a.role == Role::worker)
        name += " worker=" + std::to_string(a.worker);
    return name;
}

// One lcore the plan may use, the CPU it runs on, and what it carries so far. Without
// share_cpus each CPU has one, numbered as the CPU.
struct PoolCpu {
    int lcore;
    const Cpu* cpu;
    bool main = false;
    bool rx = false;
    int busy = 0;  // rx and worker duties: each a poll loop

    bool free() const noexcept { return !main && busy == 0; }
};

class Planner {
public:
    Planner(const Topology& topology, const PlanRequest& request)
        : topology_(topology), request_(request) {}

    Plan run() {
        check_request();
        resolve_port_nodes();
        build_pool();
        check_enough_cpus();
        place_main();
        for (std::size_t p = 0; p < request_.ports.size(); ++p)
            for (int q = 0; q < request_.ports[p].rx_queues; ++q)
                place_rx(p, q);
        // After every RX queue has its CPU: workers must not take the cores RX needs.
        for (std::size_t r = 0, n = plan_.lcores.size(); r < n; ++r)
            if (plan_.lcores[r].role == Role::rx)
                for (int w = 0; w < request_.workers_per_rx_queue; ++w)
                    place_worker(plan_.lcores[r], w);
        place_memory();
        if (request_.share_cpus) warn_shared_cpus();
        std::ranges::sort(plan_.lcores, {}, [](const LcoreAssignment& a) {
            return std::tuple(a.lcore, a.role, a.port, a.queue, a.worker);
        });
        return std::move(plan_);
    }

private:
    void check_request() const {
        if (request_.workers_per_rx_queue < 0)
            throw std::runtime_error("workers per RX queue must be 0 or more, not " +
                                     std::to_string(request_.workers_per_rx_queue));
        const std::size_t page = request_.page_bytes;
        if (page == 0 || (page & (page - 1)) != 0)
            throw std::runtime_error("page size " + std::to_string(page) +
                                     " is not a power of two: use 4096, 2M or 1G");
        for (std::size_t i = 0; i < request_.ports.size(); ++i) {
            const PortRequest& port = request_.ports[i];
            if (port.rx_queues < 0)
                throw std::runtime_error("port " + std::to_string(port.port) +
                                         " asks for a negative number of RX queues");
            for (std::size_t j = 0; j < i; ++j)
                if (request_.ports[j].port == port.port)
                    throw std::runtime_error("port " + std::to_string(port.port) +
                                             " is listed twice in the plan request");
        }
    }

    void resolve_port_nodes() {
        const std::string known = topology_.source() + " has nodes " + node_list(topology_.nodes());
        if (request_.port_numa_node && !topology_.has_node(*request_.port_numa_node))
            throw std::runtime_error("--port-numa-node " + std::to_string(*request_.port_numa_node) +
                                     " is not a NUMA node: " + known);
        for (const auto& [port, node] : request_.port_numa_nodes)
            if (!topology_.has_node(node))
                throw std::runtime_error("--port-numa-node " + std::to_string(port) + ":" + std::to_string(node) +
                                         ": " + std::to_string(node) + " is not a NUMA node: " + known);
        for (const PortRequest& port : request_.ports) {
            const std::string name = "port " + std::to_string(port.port);
            int node = port.numa_node;
            if (node < 0) {
                const auto given = request_.port_numa_nodes.find(port.port);
                const bool told = given != request_.port_numa_nodes.end() || request_.port_numa_node;
                node = given != request_.port_numa_nodes.end() ? given->second
                                                              : request_.port_numa_node.value_or(topology_.nodes().front());
                plan_.notes.push_back(
                    name + " reports no NUMA node (a virtual port); planned on node " +
                    std::to_string(node) +
                    (told ? " as --port-numa-node says" : ": set --port-numa-node to choose another"));
            } else if (!topology_.has_node(node)) {
                throw std::runtime_error(name + " is on NUMA node " + std::to_string(node) +
                                         ", but " + known +
                                         ": plan against the target's own topology (--topology)");
            }
            port_nodes_[port.port] = node;
        }
    }

    void build_pool() {
        std::vector<OperatorLcore> lcores = request_.operator_lcores;
        if (lcores.empty()) {
            for (const Cpu& c : topology_.cpus())
                lcores.push_back({c.os_index, c.os_index});
        } else {
            std::vector<int> available;
            for (const Cpu& c : topology_.cpus())
                available.push_back(c.os_index);
            for (std::size_t i = 0; i < lcores.size(); ++i) {
                const auto before = std::span(lcores).first(i);
                if (topology_.find_cpu(lcores[i].cpu) == nullptr)
                    throw std::runtime_error("the lcore list names CPU " + std::to_string(lcores[i].cpu) +
                                             ", which " + topology_.source() +
                                             " does not offer (it has " + cpu_list(available) +
                                             ")");
                if (std::ranges::find(before, lcores[i].lcore, &OperatorLcore::lcore) != before.end())
                    throw std::runtime_error("the lcore list names lcore " + std::to_string(lcores[i].lcore) +
                                             " twice");
                if (!request_.share_cpus && std::ranges::find(before, lcores[i].cpu, &OperatorLcore::cpu) != before.end())
                    throw std::runtime_error("the lcore list names CPU " + std::to_string(lcores[i].cpu) +
                                             " twice: lcores that share a CPU take turns on it; add --share-cpus "
                                             "to run so, slowly");
            }
            std::ranges::sort(lcores, {}, &OperatorLcore::lcore);
        }
        for (const OperatorLcore& l : lcores) {
            pool_.push_back(PoolCpu{.lcore = l.lcore, .cpu = topology_.find_cpu(l.cpu)});
            pool_cpus_.push_back(l.cpu);
        }
        pool_cpus_ = sorted_unique(std::move(pool_cpus_));
        if (request_.share_cpus && request_.operator_lcores.empty()) add_shared_lcores();
    }

    // share_cpus with the planner choosing: lcores beyond the CPUs' numbers, on the CPUs in turn
    // from the one after main's, until every RX queue has one; EAL must be started with that map.
    void add_shared_lcores() {
        const std::size_t needed = static_cast<std::size_t>(total_rx_queues()) + 1;
        if (pool_.size() >= needed) return;
        int next = pool_cpus_.back() + 1;
        const std::size_t cpus = pool_.size();
        for (std::size_t i = 0; pool_.size() < needed; ++i) {
            const PoolCpu& host = pool_[(1 + i) % cpus];
            pool_.push_back(PoolCpu{.lcore = next++, .cpu = host.cpu});
        }
        std::string map;
        for (const PoolCpu& p : pool_)
            map += (map.empty() ? "" : ",") + std::to_string(p.lcore) + "@" + std::to_string(p.cpu->os_index);
        plan_.notes.push_back("--share-cpus: " + std::to_string(pool_.size()) + " lcores on " +
                              std::to_string(cpus) + " CPUs; start EAL with --lcores '" + map + "'");
    }

    void check_enough_cpus() const {
        const int rx_queues = total_rx_queues();
        const std::size_t needed = static_cast<std::size_t>(rx_queues) + 1;
        if (pool_.size() >= needed)
            return;
        const std::string offered = request_.operator_lcores.empty()
                                        ? topology_.source() + " offers "
                                        : "the lcore list gives ";
        throw std::runtime_error(
            "the plan needs at least " + std::to_string(needed) + " " + (request_.share_cpus ? "lcores" : "CPUs") +
            " (one for each of the " + std::to_string(rx_queues) +
            " RX queues, and one for the main lcore, which worker duties can share) but " + offered +
            std::to_string(pool_.size()) + " (" + (request_.share_cpus ? "on CPUs " : "") + cpu_list(pool_cpus_) +
            "): use fewer RX queues, or give the plan more " + (request_.share_cpus ? "lcores" : "CPUs") +
            (request_.share_cpus ? "" : " (or --share-cpus, to run them in turns on fewer, slowly)"));
    }

    // With share_cpus, every lcore whose CPU another lcore of the plan runs on: warned, loudly.
    void warn_shared_cpus() {
        for (const LcoreAssignment& a : plan_.lcores) {
            const auto other = std::ranges::find_if(plan_.lcores, [&](const LcoreAssignment& b) {
                return b.cpu == a.cpu && b.lcore != a.lcore;
            });
            if (other == plan_.lcores.end() || a.role != Role::rx) continue;
            plan_.warnings.push_back(duty_name(a) + " on lcore " + std::to_string(a.lcore) + " shares CPU " +
                                     std::to_string(a.cpu) + " with lcore " + std::to_string(other->lcore) +
                                     " (--share-cpus): they take turns, for tests and demos, not line rate");
        }
    }

    void place_main() {
        PoolCpu& first = pool_.front();
        first.main = true;
        cores_[first.cpu->core].main = true;
        assign(first, Role::main, -1, -1, -1);
    }

    void place_rx(std::size_t port_index, int queue) {
        const int port = request_.ports[port_index].port;
        const int node = port_nodes_.at(port);
        // check_enough_cpus() leaves a free CPU for every RX queue.
        PoolCpu& chosen = *pick_free(node, nullptr);
        const LcoreAssignment& a = assign(chosen, Role::rx, port, queue, -1);
        if (a.node != node)
            cross_node(a, "port " + std::to_string(port) + " is on node " + std::to_string(node),
                       node, "use fewer RX queues");
        warn_if_smt_shared(chosen, a);
    }

    // `rx` by value: placing the worker grows plan_.lcores, where it lives.
    void place_worker(LcoreAssignment rx, int worker) {
        const Cpu& rx_cpu = *topology_.find_cpu(rx.cpu);
        if (PoolCpu* chosen = pick_free(rx.node, &rx_cpu)) {
            const LcoreAssignment& a = assign(*chosen, Role::worker, rx.port, rx.queue, worker);
            if (a.node != rx.node)
                cross_node(a, "its rx lcore " + std::to_string(rx.lcore) + " is on node " +
                                  std::to_string(rx.node),
                           rx.node, "use fewer workers per RX queue");
            warn_if_smt_shared(*chosen, a);
            return;
        }
        PoolCpu& host = pick_shared(rx.node);
        const int others = host.busy + (host.main ? 1 : 0);
        const LcoreAssignment& a = assign(host, Role::worker, rx.port, rx.queue, worker);
        const std::string shortage = std::to_string(pool_.size()) + (request_.share_cpus ? " lcores for " : " CPUs for ") +
                                     std::to_string(busy_duties()) + " busy duties and main";
        if (host.main && others == 1)
            plan_.notes.push_back(duty_name(a) + " shares the main lcore " +
                                  std::to_string(a.lcore) + " in one duty cycle: " + shortage);
        else
            plan_.warnings.push_back(duty_name(a) + " shares lcore " + std::to_string(a.lcore) +
                                     " with " + std::to_string(others) + " other duties: " +
                                     shortage + "; give more CPUs or fewer workers or queues");
        warn_if_smt_shared(host, a);  // the host may share its core with an RX lcore (main's sibling)
        if (a.node != rx.node)
            cross_node(a, "its rx lcore " + std::to_string(rx.lcore) + " is on node " +
                              std::to_string(rx.node),
                       rx.node, "give the plan more CPUs");
    }

    void place_memory() {
        for (const MemoryRequest& request : request_.memory) {
            const MemoryRegion& m = request.region;
            const std::string what = "memory region " + m.name();
            const auto port = port_nodes_.find(m.port);
            if (port == port_nodes_.end())
                throw std::runtime_error(what + " names port " + std::to_string(m.port) +
                                         ", which the plan request does not list");
            int node = port->second;
            if (m.queue >= 0) {
                const auto rx = std::ranges::find_if(plan_.lcores, [&](const LcoreAssignment& a) {
                    return a.role == Role::rx && a.port == m.port && a.queue == m.queue;
                });
                if (rx == plan_.lcores.end())
                    throw std::runtime_error(what + " names RX queue " + std::to_string(m.queue) +
                                             " of port " + std::to_string(m.port) +
                                             ", which the plan request does not ask for");
                node = rx->node;
            }
            plan_.memory.push_back(MemoryPlacement{
                .region = m, .node = node, .page_bytes = request_.page_bytes, .bytes = request.bytes});
        }
    }

    // The best free CPU for a busy duty that wants `node`; `near`, when given, is the CPU whose
    // caches the duty shares data with. nullptr when no CPU is free.
    PoolCpu* pick_free(int node, const Cpu* near) {
        PoolCpu* best = nullptr;
        auto best_rank = std::tuple(true, 0, 0, true, true);
        for (PoolCpu& p : pool_) {
            if (!p.free())
                continue;
            const auto rank = std::tuple(p.cpu->node != node, cpu_load(p), core_load(p.cpu->core),
                                         near != nullptr && p.cpu->l3 != near->l3,
                                         near != nullptr && p.cpu->package != near->package);
            // Strictly better only: the pool is ascending, so ties go to the lowest CPU.
            if (best == nullptr || rank < best_rank) {
                best = &p;
                best_rank = rank;
            }
        }
        return best;
    }

    // The other lcores on p's CPU (share_cpus): 0 none, 1 only the light main lcore, 2 a busy one.
    int cpu_load(const PoolCpu& p) const {
        int load = 0;
        for (const PoolCpu& o : pool_)
            if (&o != &p && o.cpu == p.cpu) load = std::max(load, o.busy > 0 ? 2 : o.main ? 1 : 0);
        return load;
    }

    // 0: the whole core is idle; 1: its other CPU runs only the light main lcore; 2: a sibling
    // already polls, so the two will split one core's execution units.
    int core_load(int core) const {
        const auto it = cores_.find(core);
        if (it == cores_.end())
            return 0;
        return it->second.busy > 0 ? 2 : it->second.main ? 1 : 0;
    }

    // An lcore to take one more worker duty into its cycle; never an RX lcore.
    PoolCpu& pick_shared(int node) {
        PoolCpu* best = nullptr;
        auto best_rank = std::tuple(true, 0, true);
        for (PoolCpu& p : pool_) {
            if (p.rx || p.free())
                continue;
            const auto rank = std::tuple(p.cpu->node != node, p.busy, !p.main);
            if (best == nullptr || rank < best_rank) {
                best = &p;
                best_rank = rank;
            }
        }
        return *best;  // the main lcore is always a candidate
    }

    const LcoreAssignment& assign(PoolCpu& p, Role role, int port, int queue, int worker) {
        if (role != Role::main) {
            ++p.busy;
            ++cores_[p.cpu->core].busy;
            p.rx = p.rx || role == Role::rx;
        }
        plan_.lcores.push_back(LcoreAssignment{.lcore = p.lcore,
                                               .cpu = p.cpu->os_index,
                                               .node = p.cpu->node,
                                               .core = p.cpu->core,
                                               .role = role,
                                               .port = port,
                                               .queue = queue,
                                               .worker = worker});
        return plan_.lcores.back();
    }

    void warn_if_smt_shared(const PoolCpu& chosen, const LcoreAssignment& a) {
        if (cores_[chosen.cpu->core].busy < 2)
            return;
        for (const PoolCpu& p : pool_)
            if (p.cpu != chosen.cpu && p.cpu->core == chosen.cpu->core && p.busy > 0) {  // siblings, not lcores sharing a CPU
                plan_.warnings.push_back(
                    duty_name(a) + " on lcore " + std::to_string(a.lcore) + " shares core " +
                    std::to_string(a.core) + " with busy lcore " + std::to_string(p.lcore) +
                    ": no whole core is free on node " + std::to_string(a.node) +
                    ", so the SMT siblings split one core's throughput");
                return;
            }
    }

    void cross_node(const LcoreAssignment& a, const std::string& wanted, int wanted_node,
                    const std::string& alternative) {
        std::vector<int> left_out;  // CPUs of the wanted node that the lcore list leaves out
        for (const Cpu& c : topology_.cpus_on_node(wanted_node))
            if (!std::ranges::binary_search(pool_cpus_, c.os_index))
                left_out.push_back(c.os_index);
        const std::string node = "node " + std::to_string(wanted_node);
        const std::string text =
            duty_name(a) + " on lcore " + std::to_string(a.lcore) + " is on node " +
            std::to_string(a.node) + ", but " + wanted + ": no CPU of " + node + " is free; " +
            (left_out.empty() ? ""
                              : "add " + node + "'s CPUs (" + cpu_list(left_out) +
                                    ") to the lcore list, or ") +
            alternative;
        if (request_.refuse_cross_node)
            throw std::runtime_error("refusing a cross-node plan: " + text);
        plan_.warnings.push_back(text);
    }

    int total_rx_queues() const {
        int rx_queues = 0;
        for (const PortRequest& port : request_.ports)
            rx_queues += port.rx_queues;
        return rx_queues;
    }

    int busy_duties() const { return total_rx_queues() * (1 + request_.workers_per_rx_queue); }

    struct CoreLoad {
        int busy = 0;
        bool main = false;
    };

    const Topology& topology_;
    const PlanRequest& request_;
    Plan plan_;
    std::map<int, int> port_nodes_;  // port id -> the node its RX should run on
    std::vector<PoolCpu> pool_;      // ascending by CPU
    std::vector<int> pool_cpus_;     // the same CPUs, as numbers
    std::map<int, CoreLoad> cores_;
};

}  // namespace

std::vector<int> Plan::cpus(Role role) const {
    std::vector<int> result;
    for (const LcoreAssignment& a : lcores)
        if (a.role == role)
            result.push_back(a.cpu);
    return sorted_unique(std::move(result));
}

std::vector<int> Plan::all_cpus() const {
    std::vector<int> result;
    for (const LcoreAssignment& a : lcores)
        result.push_back(a.cpu);
    return sorted_unique(std::move(result));
}

std::vector<int> Plan::cpus_without_rx() const {
    const std::vector<int> rx = cpus(Role::rx);
    std::vector<int> result;
    std::ranges::set_difference(all_cpus(), rx, std::back_inserter(result));
    return result;
}

int Plan::main_lcore() const {
    const auto it = std::ranges::find(lcores, Role::main, &LcoreAssignment::role);
    if (it == lcores.end())
        throw std::logic_error("a plan without a main lcore: make_plan always places one");
    return it->lcore;
}

int Plan::node_of(const MemoryRegion& region) const {
    const auto it = std::ranges::find(memory, region, &MemoryPlacement::region);
    if (it == memory.end()) throw std::logic_error("the plan has no memory region " + region.name());
    return it->node;
}

bool Plan::shares_cpu(int lcore) const {
    const auto self = std::ranges::find(lcores, lcore, &LcoreAssignment::lcore);
    if (self == lcores.end()) return false;
    return std::ranges::any_of(lcores, [&](const LcoreAssignment& a) { return a.cpu == self->cpu && a.lcore != lcore; });
}

int Plan::stage_lcore(int port, int queue, std::size_t stage) const {
    std::vector<const LcoreAssignment*> workers;
    for (const LcoreAssignment& a : lcores)
        if (a.role == Role::worker && a.port == port && a.queue == queue) workers.push_back(&a);
    if (workers.empty())
        throw std::logic_error("the plan gives port " + std::to_string(port) + " queue " + std::to_string(queue) +
                               " no worker lcore to run its stages");
    std::ranges::sort(workers, {}, &LcoreAssignment::worker);
    return workers[stage % workers.size()]->lcore;
}

Plan make_plan(const Topology& topology, const PlanRequest& request) {
    return Planner(topology, request).run();
}

}  // namespace sentinel::platform
