#pragma once
// journal_check: walks a pcapng file block by block, says whether readers will take all of it,
// and cuts a damaged one back to its last valid block.
//
//   offset 0                                   valid_bytes                 file_size
//   ├ SHB ┬ IDB ┬ filler ┬ EPB ┬ ... ┬ filler ┤ EPB (runs past the end) ...┤
//   └──────────── valid blocks ───────────────┘└─ the damage: repair cuts it ┘
//
// A block is valid when its framing is (length a multiple of 4, at least 12, trailing length equal,
// inside the file) and its fixed fields are: an SHB with a known byte-order magic and major version
// 1 opens the file and each section; an EPB names an interface of its section and captures no more
// than the original length and the snaplen; an ISB names an interface. Other blocks (fillers,
// name resolution, custom) need only their framing. A journal killed mid-capture ends in a buffer
// written in part, or in zeros: a torn tail. Byte-swapped sections are read too.
//
// Thread safety: plain functions; each opens the file itself.

#include <cstdint>
#include <string>

namespace sentinel::capture {

struct JournalCheck {
    enum class Verdict {
        ok,          // every byte is in a valid block
        damaged,     // valid up to valid_bytes, then a torn tail or an invalid block
        not_pcapng,  // no whole section header block at offset 0: nothing to keep
    };
    Verdict verdict = Verdict::ok;
    std::uint64_t file_size = 0;
    std::uint64_t valid_bytes = 0;  // end of the last valid block
    std::uint64_t packets = 0;      // EPBs before valid_bytes
    std::uint64_t interfaces = 0;   // IDBs before valid_bytes, every section
    std::uint64_t statistics = 0;   // ISBs before valid_bytes
    bool torn = false;              // damaged: the framing broke, not a field
    std::string problem;            // what is wrong at valid_bytes; "" when ok
};

// Throws std::system_error when the file cannot be opened or mapped.
JournalCheck check_journal(const std::string& path);

// One line for `sentinel-journal check`, naming the file:
//   FILE: ok: 1234 packets, 5 interfaces, 3456789 bytes
//   FILE: torn tail at offset N (...); valid up to N: 1200 packets — run 'sentinel-journal repair FILE'
std::string describe_check(const std::string& path, const JournalCheck& check);

struct JournalRepair {
    JournalCheck check;            // before the repair
    bool truncated = false;        // the file was cut to check.valid_bytes
    std::string line;              // one line for `sentinel-journal repair`, naming the file
};

// Cuts a damaged file to its valid blocks. Leaves a valid file alone, and refuses a file that is
// not pcapng (truncating it would leave nothing). Throws std::system_error on I/O errors.
JournalRepair repair_journal(const std::string& path);

}  // namespace sentinel::capture
