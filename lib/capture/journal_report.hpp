#pragma once
// journal_report: the lines `sentinel-journal` prints for a check or a repair, each naming the file.
// A valid file or a torn tail alone takes one line; other damage takes a summary line and one
// indented line per damaged region and per interface whose packets lost their description:
//
//   FILE: ok: 1234 packets, 5 interfaces, 3456789 bytes
//   FILE: torn tail at offset N (...); valid up to N: 1200 packets — run 'sentinel-journal repair FILE'
//   FILE: damaged: 2 regions, 8192 bytes; valid blocks hold 1030 packets, readers stop at offset N after 515 — run ...
//     offset N, 4096 bytes: damaged (block type 0x00000006, length 3735928559 ...); valid blocks resume at offset M
//     ...
//   FILE: wrote FILE.repaired.pcapng: kept 1030 packets (N bytes); readers took 515 from FILE; dropped 8192 bytes
//     dropped offset N, 4096 bytes: damaged (...); valid blocks resume at offset M
//
// Thread safety: plain functions.

#include <string>

#include "journal_check.hpp"
#include "journal_repair.hpp"

namespace sentinel::capture {

std::string describe_check(const std::string& path, const JournalCheck& check);
std::string describe_repair(const std::string& path, const JournalRepair& repair);

}  // namespace sentinel::capture
