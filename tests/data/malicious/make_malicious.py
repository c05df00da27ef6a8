#!/usr/bin/env python3
"""Writes the regression corpus of crafted malicious safetensors files, one per failure class.

    python3 tests/data/malicious/make_malicious.py        # rewrites the .safetensors beside it

Standard library only. tests/test_malicious_files.cpp loads every file here and expects its own
error text (a table there: keep it in step with CASES below). Two classes are too big to commit and
are made by that test at run time instead: a header of a multi-megabyte tensor name, and the
100-MB header limit with the whole header present.
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def tensor(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


def file_bytes(header, data=b"", length=None):
    """8-byte little-endian header length (the real one unless `length`), header, data."""
    if not isinstance(header, bytes):
        header = json.dumps(header).encode()
    return struct.pack("<Q", len(header) if length is None else length) + header + data


def raw(text):
    """A header written by hand, for what json.dumps cannot write (duplicate keys)."""
    return text.encode()


ONE = {"w": tensor("F32", [4], 0, 16)}
DATA = bytes(16)

CASES = {
    # The file ends inside the 8-byte length, or is empty.
    "short_file": b"\x08\x00\x00\x00\x00",
    "empty_file": b"",
    # A valid file cut 6 bytes short: the tensor runs past the end.
    "truncated": file_bytes(ONE, DATA[:10]),
    # Header lengths: 2^64-1 (a reader adding 8 wraps around), past the end, over 100 MB claimed.
    "header_length_max": file_bytes(ONE, DATA, length=2**64 - 1),
    "header_length_past_end": file_bytes(ONE, DATA, length=1000),
    "header_over_100mb": file_bytes(ONE, DATA, length=100_000_001),
    # Offsets.
    "offsets_overlap": file_bytes(
        {"a": tensor("F32", [2], 0, 8), "b": tensor("F32", [2], 4, 12)}, bytes(12)),
    "offsets_gap": file_bytes(
        {"a": tensor("F32", [1], 0, 4), "b": tensor("F32", [1], 8, 12)}, bytes(12)),
    "offsets_backwards": file_bytes({"w": tensor("F32", [1], 8, 4)}, bytes(8)),
    # 4 * 2^32 * 2^32 * 16 wraps to 0 in 64 bits: a naive reader takes [0, 0] as its size.
    "shape_overflow": file_bytes({"w": tensor("F32", [2**32, 2**32, 16], 0, 0)}),
    # Sizes: F32 (2, 3) needs 24 bytes, the offsets give 12.
    "size_mismatch": file_bytes({"w": tensor("F32", [2, 3], 0, 12)}, bytes(12)),
    "unknown_dtype": file_bytes({"w": tensor("F8_E4M3", [4], 0, 4)}, bytes(4)),
    # Duplicate keys: the last would silently win.
    "duplicate_names": file_bytes(raw(
        '{"w": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, '
        '"w": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}}'), bytes(2)),
    "duplicate_metadata_keys": file_bytes(raw(
        '{"__metadata__": {"epoch": "1", "epoch": "2"}, '
        '"w": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}'), bytes(1)),
    "metadata_not_strings": file_bytes(
        {"__metadata__": {"epoch": 3}, "w": tensor("U8", [1], 0, 1)}, bytes(1)),
    # Bytes after the last tensor: data the header does not account for.
    "trailing_bytes": file_bytes(ONE, DATA + b"junk"),
    # A 100,000-deep array in the header (a recursive parser or printer overflows its stack).
    "deep_json": file_bytes(raw('{"w": ' + "[" * 100_000 + "]" * 100_000 + "}")),
    # Header bytes: Latin-1 (not UTF-8), a NUL (C strings end there), not JSON, not an object.
    "not_utf8": file_bytes(
        b'{"caf\xe9": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}', bytes(1)),
    "nul_in_header": file_bytes(raw('{"w": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}')
                                + b"\x00\x00\x00\x00", bytes(1)),
    "not_json": file_bytes(raw('{"w": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}'),
                           bytes(1)),
    "header_not_object": file_bytes(raw('["w", "U8", [1], [0, 1]]'), bytes(1)),
}


def main():
    for name in os.listdir(HERE):
        if name.endswith(".safetensors"):
            os.remove(os.path.join(HERE, name))
    for name, data in sorted(CASES.items()):
        with open(os.path.join(HERE, name + ".safetensors"), "wb") as f:
            f.write(data)
    print(f"wrote {len(CASES)} files to {HERE}")


if __name__ == "__main__":
    main()
