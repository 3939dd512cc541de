#pragma once
// journal_check: walks a pcapng file block by block, says whether readers will take all of it and,
// where it is damaged, where valid blocks resume, so that a repair (journal_repair) keeps every one.
//
//   offset 0                                                                               file_size
//   ├ SHB ┬ IDB ┬ EPB ┬ ... ┬ EPB ┼▒ damaged ▒┼ EPB ┬ ... ┬ EPB ┼▒ damaged ▒┼ EPB ┬ ... ┼░ torn tail ░┤
//   └──────────── kept ─────────┘└ damage[0] ┘└──── kept ─────┘└ damage[1] ┘└─ kept ──┘└ damage[2] ─┘
//   └── readers take this much ─┘ (tshark, libpcap stop at the first damage: valid_bytes)
//
// A block is valid when its framing is (length a multiple of 4, at least 12, trailing length equal,
// inside the file) and its fixed fields are: an SHB with a known byte-order magic and major version
// 1 opens the file and each section; an EPB names an interface of its section and captures no more
// than its block holds, the original length and the snaplen; an ISB names an interface. Other blocks
// (fillers, name resolution, custom) need only their framing. Byte-swapped sections are read too.
//
// Resuming after damage: blocks are 32-bit aligned and overwritten bytes leave the blocks after them
// where they were, so the walk tries each 4-byte-aligned offset for a block with valid framing, a
// type pcapng defines and fixed fields that fit. A damaged SHB takes its section with it: the blocks
// after it have no byte order and no interfaces, so only the next valid SHB ends that damage. A
// packet (or statistics) block whose interface its section no longer declares, after damage in that
// section, lost its interface description block: it is dropped and counted in `orphans`.
//
// A journal killed mid-capture ends in a buffer written in part, or in zeros: a torn tail, damage
// whose framing broke and after which no valid block follows.
//
// Thread safety: plain functions; each maps the file itself.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sentinel::capture {

// Bytes that no valid block covers: from the first invalid one to where valid blocks resume.
struct DamagedRegion {
    std::uint64_t offset = 0;
    std::uint64_t bytes = 0;
    bool torn_tail = false;       // the framing broke at `offset` and no valid block follows
    bool invalid_block = false;   // begins with a block whose framing holds but whose fields do not
    bool section_header = false;  // holds a damaged section header block
    bool section_lost = false;    // holds a damaged SHB, or lies before the first valid one: the blocks
                                  // up to the next valid SHB have no section and end up in it
    std::string problem;          // what is wrong at `offset`
};

// Well-framed packet and statistics blocks on an interface whose description was lost.
struct OrphanBlocks {
    std::uint64_t section = 0;  // offset of the section's header block
    std::uint32_t interface = 0;
    std::uint64_t first = 0;    // offset of the first such block
    std::uint64_t packets = 0;
    std::uint64_t statistics = 0;
};

// A run of valid blocks, in file order: what a repair copies.
struct FileSpan {
    std::uint64_t offset = 0;
    std::uint64_t bytes = 0;
};

struct JournalCheck {
    enum class Verdict {
        ok,          // every byte is in a valid block
        damaged,     // some bytes are not, or some blocks lost their interface: see damage, orphans
        not_pcapng,  // no valid section header block anywhere: nothing to keep
    };
    Verdict verdict = Verdict::ok;
    std::uint64_t file_size = 0;
    std::uint64_t valid_bytes = 0;       // end of the last valid block before the first damage
    std::uint64_t readable_packets = 0;  // EPBs before valid_bytes: what readers take today
    std::uint64_t kept_bytes = 0;        // in valid blocks, all of them
    std::uint64_t packets = 0;           // EPBs in valid blocks, before and after any damage
    std::uint64_t interfaces = 0;        // IDBs in valid blocks, every section
    std::uint64_t statistics = 0;        // ISBs in valid blocks
    std::vector<DamagedRegion> damage;   // in file order
    std::vector<OrphanBlocks> orphans;   // by section, then interface, in order first seen
    std::vector<FileSpan> kept;          // the valid blocks, merged where adjacent
    // Kept SHBs whose section length (when not -1, "unknown") counts bytes a repair drops.
    std::vector<std::uint64_t> stale_section_lengths;
    std::string problem;                 // what is wrong first; "" when ok
};

// Throws std::system_error when the file cannot be opened or mapped.
JournalCheck check_journal(const std::string& path);
JournalCheck check_journal(std::span<const std::byte> file);

}  // namespace sentinel::capture
