#pragma once
// Why rte_eal_init failed, in words an operator can act on.
//
// rte_errno alone misleads for the two failures operators meet most: a --file-prefix that another
// running primary holds fails before anything sets rte_errno ("Success"), and a --huge-dir that is
// not a hugetlbfs mount fails as EACCES ("Permission denied") whatever the directory's
// permissions. So the answer comes from what EAL looked at: the lock a primary holds on its
// runtime directory's config file (fcntl, whose F_GETLK names the holder), and the directory.
//
// Thread safety: any thread; reads the file system only.

#include <optional>
#include <string>

namespace sentinel::platform {

// The EAL options that name the places EAL needs, as the command line gave them.
struct EalPlaces {
    std::string file_prefix = "rte";      // --file-prefix; EAL's default
    std::optional<std::string> huge_dir;  // --huge-dir
    bool no_huge = false;                 // --no-huge
    bool no_shconf = false;               // --no-shconf or --in-memory: no runtime config file
};

// From argv before rte_eal_init (EAL's options end at "--").
EalPlaces eal_places(int argc, char** argv);

// One line: what failed and what to do. `error`: rte_errno after rte_eal_init returned -1.
// `runtime_dir`: rte_eal_get_runtime_dir() (EAL sets it before it takes the config lock; empty
// when it failed earlier).
std::string explain_eal_init_failure(int error, const EalPlaces& places, const std::string& runtime_dir);

}  // namespace sentinel::platform
