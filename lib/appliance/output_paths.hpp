#pragma once
// The files a run writes, checked before it starts. --stats-out and --book-out are written at the
// end: a path that cannot take them must stop the run before it starts, not fail after the session
// it was meant to keep. Nothing is created here, so a refused run leaves nothing behind.

#include "config.hpp"

namespace sentinel::appliance {

// Throws one line naming the option and the path: std::invalid_argument for --stats-out,
// --book-out and --tob-out (a directory where a file is named, a directory that does not exist
// or cannot be written in, a file that cannot be written), std::runtime_error for --capture's
// directory, as the journal itself would fail at creating the file, and std::invalid_argument for
// a --capture that names a directory.
void check_output_paths(const Config& options);

}  // namespace sentinel::appliance
