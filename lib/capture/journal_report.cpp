#include "journal_report.hpp"

#include "printf_string.hpp"

namespace sentinel::capture {
namespace {

using ull = unsigned long long;
using Verdict = JournalCheck::Verdict;

ull n(std::uint64_t v) { return static_cast<ull>(v); }

std::uint64_t damaged_bytes(const JournalCheck& c) {
    std::uint64_t bytes = 0;
    for (const DamagedRegion& d : c.damage) bytes += d.bytes;
    return bytes;
}

std::uint64_t orphan_packets(const JournalCheck& c) {
    std::uint64_t packets = 0;
    for (const OrphanBlocks& o : c.orphans) packets += o.packets;
    return packets;
}

std::string region(const JournalCheck& c, const DamagedRegion& d) {
    const char* kind = d.torn_tail ? "torn tail" : d.invalid_block ? "invalid block" : "damaged";
    const std::uint64_t end = d.offset + d.bytes;
    std::string line = printf_string("offset %llu, %llu bytes: %s (%s)", n(d.offset), n(d.bytes), kind, d.problem.c_str());
    if (d.section_header) line += "; the section header block is lost, and with it its section's blocks";
    else if (d.section_lost) line += "; no section header block before it, so no block can be read";
    if (end == c.file_size) line += "; to the end of the file";
    else if (d.section_lost) line += printf_string("; the next section header block is at offset %llu", n(end));
    else line += printf_string("; valid blocks resume at offset %llu", n(end));
    return line;
}

std::string orphans(const OrphanBlocks& o) {
    std::string what = printf_string("%llu packets", n(o.packets));
    if (o.statistics != 0) what += printf_string(" and %llu statistics blocks", n(o.statistics));
    return printf_string("%s on interface %u of the section at offset %llu, from offset %llu on: its interface "
                         "description block is lost",
                         what.c_str(), o.interface, n(o.section), n(o.first));
}

// Every damaged region and orphaned interface, one indented line each.
std::string details(const JournalCheck& c, const char* verb) {
    std::string lines;
    for (const DamagedRegion& d : c.damage) lines += "\n  " + std::string(verb) + region(c, d);
    for (const OrphanBlocks& o : c.orphans) lines += "\n  " + std::string(verb) + orphans(o);
    return lines;
}

// "dropped 8192 bytes in 2 regions, and 12 packets whose interface is lost"
std::string dropped(const JournalCheck& c) {
    std::string line = printf_string("%llu bytes in %zu region%s", n(damaged_bytes(c)), c.damage.size(),
                                     c.damage.size() == 1 ? "" : "s");
    if (!c.orphans.empty()) line += printf_string(", and %llu packets whose interface is lost", n(orphan_packets(c)));
    return line;
}

bool torn_tail_alone(const JournalCheck& c) {
    return c.damage.size() == 1 && c.damage.front().torn_tail && !c.damage.front().section_lost && c.orphans.empty();
}

}  // namespace

std::string describe_check(const std::string& path, const JournalCheck& c) {
    const char* file = path.c_str();
    switch (c.verdict) {
    case Verdict::ok:
        return printf_string("%s: ok: %llu packets, %llu interfaces, %llu bytes", file, n(c.packets), n(c.interfaces),
                             n(c.file_size));
    case Verdict::damaged:
        if (torn_tail_alone(c))
            return printf_string("%s: torn tail at offset %llu (%s); valid up to %llu: %llu packets — run "
                                 "'sentinel-journal repair %s'",
                                 file, n(c.valid_bytes), c.problem.c_str(), n(c.valid_bytes), n(c.packets), file);
        return printf_string("%s: damaged: %s; valid blocks hold %llu packets, readers stop at offset %llu after %llu "
                             "— run 'sentinel-journal repair %s'",
                             file, dropped(c).c_str(), n(c.packets), n(c.valid_bytes), n(c.readable_packets), file) +
               details(c, "");
    case Verdict::not_pcapng:
        break;
    }
    if (!c.damage.empty() && c.damage.front().section_header)
        return printf_string("%s: no readable section: the section header block at offset 0 is damaged (%s) and no "
                             "valid one follows; nothing can be kept",
                             file, c.problem.c_str());
    return printf_string("%s: not a pcapng file (%s)", file, c.problem.c_str());
}

std::string describe_repair(const std::string& path, const JournalRepair& r) {
    const JournalCheck& c = r.check;
    const char* file = path.c_str();
    switch (c.verdict) {
    case Verdict::ok:
        return printf_string("%s: ok: nothing to repair (%llu packets)", file, n(c.packets));
    case Verdict::not_pcapng:
        return describe_check(path, c) + "; not repairing";
    case Verdict::damaged:
        break;
    }
    const bool in_place = r.output == path;
    std::string action;
    if (!r.written) action = in_place ? "dry run: would repair in place" : "dry run: would write " + r.output;
    else action = in_place ? "repaired in place" : "wrote " + r.output;
    const char* keep = r.written ? "kept" : "would keep";
    const char* drop = r.written ? "dropped" : "would drop";
    std::string line = printf_string("%s: %s: %s %llu packets (%llu bytes); readers %s %llu from %s; %s %s", file,
                                     action.c_str(), keep, n(c.packets), n(c.kept_bytes),
                                     r.written ? "took" : "take", n(c.readable_packets), file, drop, dropped(c).c_str());
    if (!r.written) line += "; nothing written";
    return line + details(c, r.written ? "dropped " : "would drop ");
}

}  // namespace sentinel::capture
