#include "packet_filter.hpp"

#include <pcap/pcap.h>
#include <rte_bpf.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ebpf_repair.hpp"
#include "log/log.hpp"

namespace sentinel::net {
namespace {

// The largest frame libpcap's program may look at, and what it returns on a match: above any
// jumbo frame, as tcpdump's default is.
constexpr int kSnapLength = 262144;

struct PcapClose {
    void operator()(pcap_t* p) const noexcept { pcap_close(p); }
};

struct FreeCode {
    void operator()(bpf_program* p) const noexcept { pcap_freecode(p); }
};

struct RteFree {
    void operator()(rte_bpf_prm* p) const noexcept { rte_free(p); }
};

std::string quoted(std::string_view expression) {
    std::string text;
    text.reserve(expression.size() + 2);
    text.append(1, '\'').append(expression).append(1, '\'');
    return text;
}

// libpcap's classic BPF for `expression` on Ethernet frames; the caller frees it with pcap_freecode.
bpf_program compile(const std::string& expression) {
    const std::unique_ptr<pcap_t, PcapClose> pcap(pcap_open_dead(DLT_EN10MB, kSnapLength));
    if (!pcap) throw std::runtime_error("pcap_open_dead: out of memory compiling filter " + quoted(expression));
    bpf_program program{};
    if (pcap_compile(pcap.get(), &program, expression.c_str(), 1 /* optimize */, PCAP_NETMASK_UNKNOWN) != 0)
        throw std::invalid_argument("bad filter " + quoted(expression) + ": " + pcap_geterr(pcap.get()));
    return program;
}

std::runtime_error bpf_error(std::string_view call, const std::string& expression, std::string_view why) {
    return std::runtime_error(std::string(call) + ": filter " + quoted(expression) + ": " + std::string(why));
}

}  // namespace

PacketFilter::PacketFilter(std::string_view expression, Engine engine) : expression_(expression) {
    if (expression_.empty()) return;

    bpf_program classic = compile(expression_);
    const std::unique_ptr<bpf_program, FreeCode> classic_owner(&classic);
    // The converted program's argument is the mbuf (RTE_BPF_ARG_PTR_MBUF): its loads read packet
    // bytes through the segment chain, bounded by pkt_len.
    const std::unique_ptr<rte_bpf_prm, RteFree> extended(rte_bpf_convert(&classic));
    // What libpcap accepts but rte_bpf cannot run (protochain's backward jumps) is a bad filter too.
    if (!extended)
        throw std::invalid_argument("bad filter " + quoted(expression_) +
                                    ": libpcap compiles it, but rte_bpf_convert cannot convert it to eBPF");
    std::vector<ebpf_insn> repaired;
    try {
        repaired = repair_converted({extended->ins, extended->nb_ins});
    } catch (const std::runtime_error& e) {
        throw bpf_error("rte_bpf_convert", expression_, e.what());
    }
    rte_bpf_prm load = *extended;
    load.ins = repaired.data();
    load.nb_ins = static_cast<std::uint32_t>(repaired.size());
    // rte_bpf_load copies and validates the instructions, then JIT-compiles them where it can.
    bpf_ = rte_bpf_load(&load);
    if (bpf_ == nullptr) throw bpf_error("rte_bpf_load", expression_, rte_strerror(rte_errno));

    if (engine == Engine::interpreter) return;
    rte_bpf_jit jit{};
    if (rte_bpf_get_jit(bpf_, &jit) == 0) jit_ = jit.func;
    if (jit_ == nullptr)
        log::write(log::Type::net, log::Level::warning,
                   "filter %s runs interpreted: rte_bpf has no JIT for this CPU (about 5x slower)",
                   quoted(expression_).c_str());
}

PacketFilter::~PacketFilter() { rte_bpf_destroy(bpf_); }

PacketFilter::PacketFilter(PacketFilter&& other) noexcept
    : expression_(std::move(other.expression_)),
      bpf_(std::exchange(other.bpf_, nullptr)),
      jit_(std::exchange(other.jit_, nullptr)) {}

PacketFilter& PacketFilter::operator=(PacketFilter&& other) noexcept {
    if (this != &other) {
        rte_bpf_destroy(bpf_);
        expression_ = std::move(other.expression_);
        bpf_ = std::exchange(other.bpf_, nullptr);
        jit_ = std::exchange(other.jit_, nullptr);
    }
    return *this;
}

bool PacketFilter::interpret(const rte_mbuf* m) const noexcept {
    return rte_bpf_exec(bpf_, const_cast<rte_mbuf*>(m)) != 0;  // reads only; the C signature is non-const
}

}  // namespace sentinel::net
