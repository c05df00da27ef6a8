// Opening the files a user names. Only a regular file is read: a directory, a device (/dev/zero
// never ends) or a FIFO (which may never be written) is refused, named for what it is, before a
// byte is read. Errors read "<op> cannot read '<path>': it does not exist" (or "it is a
// directory", "it is not a regular file (a FIFO)", ...).
#pragma once

#include <string>

namespace ember::core {

// Opens `path` for blocking reads and returns the descriptor, which the caller closes.
int open_regular_file(const std::string& path, const std::string& op);

// The whole content of the regular file at `path`.
std::string read_regular_file(const std::string& path, const std::string& op);

}  // namespace ember::core
