// safetensors files: the format of the golden fixtures and of ember's checkpoints.
//
// Layout (https://github.com/huggingface/safetensors, ../shared/golden/README.md section 1):
//   8 bytes   N, unsigned 64-bit little-endian: the length of the header;
//   N bytes   a UTF-8 JSON object, padded at the end with spaces to a multiple of 8, mapping each
//             tensor name to {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]},
//             plus an optional "__metadata__" object of string to string;
//   the rest  the data section: raw little-endian row-major tensor bytes; the offsets are relative
//             to its start and end - begin = numel * itemsize. A scalar has shape [].
// Readers trust data_offsets, never the order; ember writes tensors sorted by name, contiguously.
//
// What the format forbids (its README and reference reader) is refused, each with its own message
// "[safetensors] <path>: <problem>" (an ember::Error): a file under 8 bytes; a header length over
// 100,000,000 bytes or past the end of the file; a header that is not UTF-8, holds a NUL, is not
// JSON or not an object (core::parse_json: nesting bounded, so a duplicate tensor name or
// "__metadata__" key is refused too); "__metadata__" other than string to string; an unknown
// dtype; a byte size other than numel * itemsize (overflow-checked); offsets that run backwards,
// overlap or leave a gap (sorted by offsets, the tensors must tile the data section from byte 0;
// an empty tensor has begin == end); and bytes after the last tensor. load_safetensors refuses a
// path that is not a regular file (a directory, /dev/zero, a FIFO) before reading a byte.
// Long names are shortened in messages. The fuzz target fuzz/fuzz_safetensors.cpp runs the parser.
#pragma once

#include <map>
#include <string>

#include "ember/core/ndarray.h"

namespace ember::core {

// The tensors of one safetensors file, by dtype: F32 (and F64, converted to float) -> floats,
// I64 -> indices, U8 -> masks (NDArrays of 0/1, written back as U8). Names are unique across
// the three maps.
struct SafeTensors {
  std::map<std::string, NDArray> floats;
  std::map<std::string, IndexArray> indices;
  std::map<std::string, NDArray> masks;
  std::map<std::string, std::string> metadata;  // "__metadata__"
};

// Reads and parses the file at `path`.
SafeTensors load_safetensors(const std::string& path);

// Parses the bytes of a whole file; `source` names the file in error messages.
SafeTensors parse_safetensors(const std::string& bytes, const std::string& source);

// The bytes of a file holding `st` (any array layout; non-contiguous arrays are copied).
std::string serialize_safetensors(const SafeTensors& st);

// Writes `st` to `path` atomically: a temporary file in the same directory, flushed and synced,
// then renamed over `path`. On failure `path` is untouched and the temporary file removed.
void save_safetensors(const std::string& path, const SafeTensors& st);

}  // namespace ember::core
