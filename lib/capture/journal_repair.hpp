#pragma once
// journal_repair: writes the valid blocks of a damaged pcapng file (journal_check's `kept`) to a
// new file, and drops only what cannot be read: damaged bytes, and blocks whose interface or
// section was lost with them.
//
//   FILE ──check──▶ kept spans ──copy──▶ OUT.partial.XXXXXX ──fsync, check again──▶ rename to OUT ──▶ fsync dir
//
// OUT is `output`, or FILE itself with in_place, or repaired_path(FILE). Until the rename nothing
// but the temporary file exists, so a crash or an error leaves FILE (and any OUT) as they were; a
// new OUT never replaces an existing file. The copy is checked before the rename: a repair that
// would not read back whole fails instead. A kept section header that gives its section's length
// gets -1 ("not given") in the copy, since bytes of that section were dropped.
//
// A valid file, and one with no valid section header block (journal_check's not_pcapng), are left
// alone and nothing is written.
//
// Thread safety: plain functions; each maps the file itself.

#include <string>

#include "journal_check.hpp"

namespace sentinel::capture {

struct RepairOptions {
    std::string output;     // where the repaired copy goes; "" for repaired_path(path)
    bool in_place = false;  // the copy replaces `path` (output must be "")
    bool dry_run = false;   // check and plan only: write nothing
};

struct JournalRepair {
    JournalCheck check;   // the file before
    std::string output;   // the file written, or with dry_run to be written; "" when nothing is
    bool written = false;
};

// FILE.pcapng → FILE.repaired.pcapng; any other name gets .repaired.pcapng appended.
std::string repaired_path(const std::string& path);

// Throws std::system_error naming the file and the call that failed (EEXIST when the output
// exists), std::invalid_argument for options that contradict each other, and std::runtime_error
// when the copy does not check valid; in each case FILE is unchanged and no output is left, but
// for a failed fsync of the directory, which comes after the rename (the message says so).
JournalRepair repair_journal(const std::string& path, const RepairOptions& options = {});

}  // namespace sentinel::capture
