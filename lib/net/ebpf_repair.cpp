#include "ebpf_repair.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace sentinel::net {
namespace {

constexpr std::uint8_t kClear = EBPF_ALU64 | BPF_XOR | BPF_X;  // xor r, r

bool is_indirect_load(const ebpf_insn& insn) {
    return BPF_CLASS(insn.code) == BPF_LD && BPF_MODE(insn.code) == BPF_IND;
}

bool is_short_jset(const ebpf_insn& insn) {
    return insn.code == (BPF_JMP | BPF_JSET | BPF_K) && insn.imm >= std::numeric_limits<std::int8_t>::min() &&
           insn.imm <= std::numeric_limits<std::int8_t>::max();
}

bool is_jump(const ebpf_insn& insn) {
    return BPF_CLASS(insn.code) == BPF_JMP && BPF_OP(insn.code) != EBPF_CALL && BPF_OP(insn.code) != EBPF_EXIT;
}

// The lowest scratch register that no instruction names: the jset mask lives there for one
// instruction. R6 holds the mbuf for packet loads; R10 is the frame pointer.
std::uint8_t unused_register(std::span<const ebpf_insn> program) {
    std::uint32_t named = 1u << EBPF_REG_6;
    for (const ebpf_insn& insn : program) named |= 1u << insn.dst_reg | 1u << insn.src_reg;
    for (std::uint8_t r = EBPF_REG_1; r <= EBPF_REG_9; ++r)
        if ((named & 1u << r) == 0) return r;
    throw std::runtime_error("the converted program uses every register");
}

}  // namespace

std::vector<ebpf_insn> repair_converted(std::span<const ebpf_insn> program) {
    if (program.size() < 2 || program[1].code != kClear || program[1].dst_reg != program[1].src_reg)
        throw std::runtime_error("the converted program does not start by clearing A and X");
    const std::uint8_t x = program[1].dst_reg;
    const std::uint8_t mask = unused_register(program);

    // Where each instruction lands: one slot later for every short jset before it. at[size] is the
    // end, which no validated jump targets but which keeps the arithmetic total.
    std::vector<std::size_t> at(program.size() + 1);
    std::size_t next = 0;
    for (std::size_t i = 0; i < program.size(); ++i) {
        at[i] = next;
        next += is_short_jset(program[i]) ? 2 : 1;
    }
    at[program.size()] = next;

    std::vector<ebpf_insn> repaired;
    repaired.reserve(next);
    for (std::size_t i = 0; i < program.size(); ++i) {
        ebpf_insn insn = program[i];
        if (is_indirect_load(insn)) insn.src_reg = x;
        if (is_short_jset(insn)) {
            // A 64-bit move sign-extends the immediate, as jset's own comparison does.
            repaired.push_back(
                ebpf_insn{.code = EBPF_ALU64 | EBPF_MOV | BPF_K, .dst_reg = mask, .src_reg = 0, .off = 0, .imm = insn.imm});
            insn.code = BPF_JMP | BPF_JSET | BPF_X;
            insn.src_reg = mask;
            insn.imm = 0;
        }
        if (is_jump(insn)) {
            const std::ptrdiff_t target = static_cast<std::ptrdiff_t>(i) + 1 + insn.off;
            if (target < 0 || target > static_cast<std::ptrdiff_t>(program.size()))
                throw std::runtime_error("the converted program jumps outside itself");
            const std::ptrdiff_t off = static_cast<std::ptrdiff_t>(at[target]) - static_cast<std::ptrdiff_t>(repaired.size() + 1);
            if (off < std::numeric_limits<std::int16_t>::min() || off > std::numeric_limits<std::int16_t>::max())
                throw std::runtime_error("the converted program is too long to repair");
            insn.off = static_cast<std::int16_t>(off);
        }
        repaired.push_back(insn);
    }
    return repaired;
}

}  // namespace sentinel::net
