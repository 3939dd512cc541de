// sentinel-journal: checks capture journal files, and repairs those a crash left with a torn tail.
//
//   sentinel-journal check FILE...    one line per file; exit 0 all valid, 1 any damaged, 2 usage or I/O error
//   sentinel-journal repair FILE...   cuts each damaged file back to its last valid block; exit 0 when
//                                     every file is valid now, 1 when one is not pcapng (left alone), 2 as above

#include <cstdio>
#include <string>
#include <string_view>
#include <system_error>

#include "capture/journal_check.hpp"

namespace {

int usage() {
    std::fputs("usage: sentinel-journal check FILE...\n"
               "       sentinel-journal repair FILE...\n",
               stderr);
    return 2;
}

int check(const std::string& path) {
    const sentinel::capture::JournalCheck c = sentinel::capture::check_journal(path);
    std::puts(describe_check(path, c).c_str());
    return c.verdict == sentinel::capture::JournalCheck::Verdict::ok ? 0 : 1;
}

int repair(const std::string& path) {
    const sentinel::capture::JournalRepair r = sentinel::capture::repair_journal(path);
    std::puts(r.line.c_str());
    return r.check.verdict == sentinel::capture::JournalCheck::Verdict::not_pcapng ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) return usage();
    const std::string_view command = argv[1];
    if (command != "check" && command != "repair") return usage();
    int status = 0;
    for (int i = 2; i < argc; ++i) {
        int s;
        try {
            s = command == "check" ? check(argv[i]) : repair(argv[i]);
        } catch (const std::system_error& e) {
            std::fprintf(stderr, "%s\n", e.what());
            s = 2;
        }
        status = s > status ? s : status;
    }
    return status;
}
