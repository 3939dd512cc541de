#pragma once
// EbpfRepair: puts right the two things DPDK 22.11's rte_bpf gets wrong on the programs that
// rte_bpf_convert makes from libpcap's, before rte_bpf_load validates and JIT-compiles them. Both
// still stood in upstream DPDK when this was written; on a program without them it changes nothing.
//
//   cBPF ─rte_bpf_convert─▶ eBPF ─repair_converted()─▶ eBPF ─rte_bpf_load─▶ interpreter / x86 JIT
//
// 1. Indirect loads index by the wrong register. cBPF's `ld [x + k]` becomes eBPF LD_IND whose
//    index register the converter takes from the opcode's BPF_X bit, which only a halfword load has
//    (BPF_H and BPF_X are both 0x08). Byte and word loads then index by A, not X: `tcp[13]` and
//    `udp[8:4]` read the wrong bytes, in the interpreter and the JIT alike. Every LD_IND gets X.
// 2. The x86 JIT encodes `jset r, #k` as TEST r, imm with an 8-bit immediate whenever k fits in
//    one, an encoding TEST does not have (only imm32): the bytes that follow decode as different
//    instructions, and the program returns garbage or crashes. libpcap writes `jset #0x2` for
//    `tcp[tcpflags] & tcp-syn != 0`. Such a jset becomes `mov32 t, #k; jset r, t` with a register
//    the program never uses, and every jump across it is lengthened by one.
//
// The converter's X is the register its prologue clears second, after A: the repair reads it there
// and refuses a program that does not start that way.
//
// Thread safety: a pure function.

#include <rte_bpf.h>

#include <span>
#include <vector>

namespace sentinel::net {

// Throws std::runtime_error when `program` is not shaped as rte_bpf_convert's output is.
std::vector<ebpf_insn> repair_converted(std::span<const ebpf_insn> program);

}  // namespace sentinel::net
