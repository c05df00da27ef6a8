// Files written whole and atomically: a reader (or a crash, a kill -9, a power cut) sees the old
// file or the new one, never a mix. The bytes go to "<path>.tmp.<pid>" in the same directory,
// are flushed and synced, the temporary is renamed over `path`, and the directory is synced so
// that the rename itself survives a power cut (rename(2) is atomic within a file system).
#pragma once

#include <string>
#include <string_view>

namespace ember::core {

// Writes `bytes` to `path` as above. On failure `path` is untouched, the temporary removed, and
// ember::Error "<op> <path>: cannot save: <reason>" thrown.
void write_file_atomic(const std::string& path, std::string_view bytes, const char* op);

// Whether `filename` (no directory) is the temporary of an unfinished write_file_atomic,
// "<name>.tmp.<pid>": what a killed writer leaves behind.
bool is_atomic_temporary(const std::string& filename);

}  // namespace ember::core
