// Integrity data for the safetensors files ember writes (training checkpoints, model weights):
// metadata "checksums" holds a 64-bit hash of every tensor (its shape and bytes) and one of the
// other metadata, so that a load notices a flipped bit and names the tensor it is in.
//
//   "checksums": {"<tensor>": "16 hex digits", ..., "__metadata__": "16 hex digits"}
//
// The hash is FNV-1a over 8-byte words (then the tail bytes and the length): each step is a
// bijection of the running hash, so any change confined to one word always changes the result,
// and a random change of more escapes it with probability 2^-64. It guards against damage, not
// against an adversary (who could recompute it).
#pragma once

#include <string>

#include "ember/core/safetensors.h"

namespace ember::core {

constexpr const char* kChecksumsKey = "checksums";

// The "checksums" value for `st` (its other metadata complete; an existing "checksums" entry is
// ignored). A tool that edits a file's contents writes it again with this.
std::string safetensors_checksums(const SafeTensors& st);

// Sets st.metadata["checksums"].
void add_checksums(SafeTensors& st);

// Checks the "checksums" of `st`: every tensor and the other metadata must match, and the list
// must name exactly the file's tensors. Throws ember::Error "<context>: key 'x' fails its
// checksum ..." naming the first key that differs; `context` names the op and the file
// ("[load] best.safetensors"). A file without "checksums" passes unless `required` (a plain
// safetensors file from PyTorch has none).
void verify_checksums(const SafeTensors& st, const std::string& context, bool required);

}  // namespace ember::core
