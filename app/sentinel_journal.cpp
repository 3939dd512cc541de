// sentinel-journal: checks capture journal files (pcapng), and repairs damaged ones, keeping every
// valid block before and after each damaged region.
//
//   sentinel-journal check FILE|DIR...
//       One line per valid file or torn tail; for other damage a summary line and one line per
//       damaged region (offset, bytes, where valid blocks resume) and per interface whose
//       description block was lost. A DIR stands for its .pcapng files, by name: a capture over
//       several disks (--capture DIR1/cap.pcapng,DIR2/cap.pcapng) is checked as one with
//       `check DIR1 DIR2`. With more than one file, a last line totals them.
//   sentinel-journal repair [--dry-run] [-o OUT | --in-place] FILE...
//       Writes the valid blocks of each damaged FILE to FILE.repaired.pcapng (FILE minus .pcapng,
//       plus .repaired.pcapng), or to OUT (one FILE only), and says what it dropped. A valid file,
//       and a file with no valid section header block, are left alone and nothing is written.
//       --in-place  replaces FILE, through an fsync'd temporary file renamed over it
//       --dry-run   says what it would do; writes nothing
//       An existing output is never replaced (exit 2).
//
// Exit status (the highest over the files):
//   0  check: every file valid;  repair: every file valid or repaired (--dry-run: repairable)
//   1  check: a file damaged or not pcapng;  repair: a file with nothing to keep (not pcapng, or no
//      valid section header block), left alone
//   2  bad usage, or an I/O error (a file unreadable, the output existing or not writable); the
//      file named in the error is left as it was

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "capture/journal_check.hpp"
#include "capture/journal_repair.hpp"
#include "capture/journal_report.hpp"

namespace {

using sentinel::capture::JournalCheck;
using sentinel::capture::RepairOptions;

constexpr int kUsageOrIo = 2;

int usage(const char* problem) {
    if (problem != nullptr) std::fprintf(stderr, "sentinel-journal: %s\n", problem);
    std::fputs("usage: sentinel-journal check FILE|DIR...\n"
               "       sentinel-journal repair [--dry-run] [-o OUT | --in-place] FILE...\n"
               "  repair writes FILE.repaired.pcapng (or OUT) and never replaces an existing file;\n"
               "  --in-place replaces FILE through an fsync'd temporary file; --dry-run writes nothing.\n"
               "exit: 0 all valid (repair: all repaired), 1 damaged (repair: nothing to keep, not pcapng),\n"
               "      2 bad usage or I/O error\n",
               stderr);
    return kUsageOrIo;
}

struct Command {
    bool repair = false;
    RepairOptions options;
    std::vector<std::string> files;
};

// Returns the problem with the arguments, or nullptr.
const char* parse(int argc, char** argv, Command& c) {
    if (argc < 2) return "no command";
    const std::string_view command = argv[1];
    if (command != "check" && command != "repair") return "the command is check or repair";
    c.repair = command == "repair";
    bool options_end = false;
    for (int i = 2; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (options_end || a.empty() || a[0] != '-') c.files.emplace_back(a);
        else if (a == "--") options_end = true;
        else if (!c.repair) return "check takes no options";
        else if (a == "--dry-run") c.options.dry_run = true;
        else if (a == "--in-place") c.options.in_place = true;
        else if ((a == "-o" || a == "--output") && i + 1 < argc) c.options.output = argv[++i];
        else if (a.starts_with("--output=")) c.options.output = a.substr(9);
        else return "unknown option";
    }
    if (c.files.empty()) return "no FILE";
    if (c.options.in_place && !c.options.output.empty()) return "-o and --in-place exclude each other";
    if (!c.options.output.empty() && c.files.size() > 1) return "-o takes one FILE";
    return nullptr;
}

struct CheckTotal {
    std::size_t files = 0, valid = 0;
    std::uint64_t packets = 0, bytes = 0;
};

int check(const std::string& path, CheckTotal& total) {
    const JournalCheck c = sentinel::capture::check_journal(path);
    std::puts(describe_check(path, c).c_str());
    ++total.files;
    total.packets += c.packets;
    total.bytes += c.file_size;
    if (c.verdict != JournalCheck::Verdict::ok) return 1;
    ++total.valid;
    return 0;
}

// FILE, or a directory's .pcapng files in name order (rotation numbers them in order).
std::vector<std::string> expand(const std::vector<std::string>& names) {
    std::vector<std::string> files;
    for (const std::string& name : names) {
        std::error_code ec;
        if (!std::filesystem::is_directory(name, ec)) {
            files.push_back(name);
            continue;
        }
        std::vector<std::string> inside;
        for (const auto& entry : std::filesystem::directory_iterator(name, ec))
            if (entry.path().extension() == ".pcapng" && entry.is_regular_file(ec)) inside.push_back(entry.path().string());
        if (inside.empty()) throw std::runtime_error(name + " holds no .pcapng file: name the files to check");
        std::ranges::sort(inside);
        files.insert(files.end(), inside.begin(), inside.end());
    }
    return files;
}

int repair(const std::string& path, const RepairOptions& options) {
    const sentinel::capture::JournalRepair r = sentinel::capture::repair_journal(path, options);
    std::puts(describe_repair(path, r).c_str());
    return r.check.verdict == JournalCheck::Verdict::not_pcapng ? 1 : 0;
}

// One line on stderr: the file, what failed, and what to do.
int io_error(const std::string& path, const std::system_error& e, bool repairing) {
    const char* advice = "check the path and its permissions";
    switch (e.code().value()) {
    case EEXIST: advice = "remove it, name another output with -o, or repair with --in-place"; break;
    case ENOENT: case EACCES: case EPERM: case EISDIR: case ENOTDIR: case ENAMETOOLONG: case ELOOP: break;
    default:
        if (repairing) advice = "the input is unchanged; free space or write elsewhere with -o";
        break;
    }
    std::fprintf(stderr, "sentinel-journal: %s — %s (while %s %s)\n", e.what(), advice,
                 repairing ? "repairing" : "checking", path.c_str());
    return kUsageOrIo;
}

}  // namespace

int main(int argc, char** argv) {
    Command command;
    if (const char* problem = parse(argc, argv, command)) return usage(problem);
    int status = 0;
    CheckTotal total;
    std::vector<std::string> files = command.files;
    if (!command.repair) {
        try {
            files = expand(command.files);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "sentinel-journal: %s\n", e.what());
            return kUsageOrIo;
        }
    }
    for (const std::string& path : files) {
        int s;
        try {
            s = command.repair ? repair(path, command.options) : check(path, total);
        } catch (const std::system_error& e) {
            s = io_error(path, e, command.repair);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "sentinel-journal: %s\n", e.what());
            s = kUsageOrIo;
        }
        status = s > status ? s : status;
    }
    if (!command.repair && files.size() > 1)
        std::printf("total: %zu files, %zu valid: %llu packets, %llu bytes\n", total.files, total.valid,
                    static_cast<unsigned long long>(total.packets), static_cast<unsigned long long>(total.bytes));
    return status;
}
