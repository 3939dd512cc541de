#pragma once
// PacketFilter: a tcpdump expression compiled to native code that answers "does this mbuf match?"
// in a few dozen cycles, the way dpdk-dumpcap filters.
//
//   "udp and dst port 26477" ─pcap_compile─▶ cBPF ─rte_bpf_convert─▶ eBPF ─repair_converted─▶ eBPF
//                            ─rte_bpf_load─▶ validated ─rte_bpf_get_jit─▶ x86-64 code
//
//   matches(mbuf) ─▶ JIT'd code(mbuf) ─▶ nonzero: match (libpcap returns the snap length)
//
// The program reads the packet through the mbuf, never through a flat buffer: converted cBPF loads
// (LD_ABS/LD_IND) become eBPF packet loads, which read the first segment directly and go through
// __rte_pktmbuf_read for the rest, so a multi-segment jumbo frame is filtered whole. A load past the
// packet's end ends the program with 0, as in the kernel and in libpcap: a runt never matches a rule
// that looks beyond it. `len` (as in 'greater 1000') is the mbuf's pkt_len. What rte_bpf gets wrong
// on converted programs is put right before loading (ebpf_repair.hpp), and the tests hold every
// load kind and jump to libpcap's own interpreter.
//
// rte_bpf_exec_burst only interprets, five times slower (on this machine, 64-byte packets in cache:
// 'udp and dst port 26477' 15 cycles JIT'd against 78, a 30-instruction filter 22 against 130), so
// matches() calls the JIT'd function itself. Where the JIT is missing (not x86-64 or arm64) the
// filter warns in one line and interprets. An empty expression compiles to nothing and matches
// every packet.
//
// Thread safety
//   constructor, destructor, moves   after rte_eal_init (rte_bpf_convert allocates with rte_malloc),
//                                    before the lcores that use the filter launch: the launch orders
//                                    the program's stores before their calls
//   matches                          any thread, concurrently: the program keeps its state on the stack

#include <cstdint>
#include <string>
#include <string_view>

struct rte_bpf;
struct rte_mbuf;

namespace sentinel::net {

class PacketFilter {
public:
    // How matches() runs the program: `jit` falls back to the interpreter (with a warning) where
    // rte_bpf has no JIT; `interpreter` always interprets (to check the JIT against it).
    enum class Engine { jit, interpreter };

    // Throws std::invalid_argument naming the expression and the reason, in one line, for what
    // libpcap cannot compile or rte_bpf cannot convert (protochain):
    //   "bad filter 'tcp port': can't parse filter expression: syntax error"
    // and std::runtime_error naming the call when rte_bpf cannot load (validate, map) the program.
    explicit PacketFilter(std::string_view expression, Engine engine = Engine::jit);
    ~PacketFilter();
    // A moved-from filter has no program: it matches everything until assigned.
    PacketFilter(PacketFilter&& other) noexcept;
    PacketFilter& operator=(PacketFilter&& other) noexcept;
    PacketFilter(const PacketFilter&) = delete;
    PacketFilter& operator=(const PacketFilter&) = delete;

    // `m` must hold a whole frame from the Ethernet header on (DLT_EN10MB), in any number of segments.
    bool matches(const rte_mbuf* m) const noexcept {
        // The program only reads the mbuf; the C signature takes it non-const.
        if (jit_ != nullptr) return jit_(const_cast<rte_mbuf*>(m)) != 0;
        if (bpf_ == nullptr) return true;
        return interpret(m);
    }

    // True for the empty expression: every packet matches and no program runs.
    bool matches_all() const noexcept { return bpf_ == nullptr; }
    bool jitted() const noexcept { return jit_ != nullptr; }
    const std::string& expression() const noexcept { return expression_; }

private:
    bool interpret(const rte_mbuf* m) const noexcept;

    std::string expression_;
    rte_bpf* bpf_ = nullptr;
    std::uint64_t (*jit_)(void*) = nullptr;  // inside bpf_'s memory: lives and dies with it
};

}  // namespace sentinel::net
