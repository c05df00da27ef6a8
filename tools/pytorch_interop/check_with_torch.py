#!/usr/bin/python3
"""PyTorch interop check for ember, both ways (docs/pytorch_interop.md).

    check_with_torch.py DIR

1. ember -> torch: loads DIR/ember_<name>.safetensors (written by examples/export_for_pytorch)
   into the same torch.nn module with load_state_dict(strict=True), runs the inputs of
   DIR/ember_<name>_io.safetensors and prints the max abs error against ember's outputs.
2. torch -> ember: builds the modules in torch (its own seeded init), runs fresh inputs and writes
   DIR/torch_<name>.safetensors (the state_dict) and DIR/torch_<name>_io.safetensors (inputs and
   outputs), for `export_for_pytorch --load DIR`.

Needs only torch: safetensors is 8 bytes of header length (little-endian u64), a JSON header
{name: {dtype, shape, data_offsets}} padded with spaces, then the raw little-endian data.
Exits 1 if an error exceeds 1e-4.
"""
import json
import struct
import sys

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

TOLERANCE = 1e-4
DTYPES = {"F32": torch.float32, "I64": torch.int64, "U8": torch.uint8}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        raw = bytearray(data[8 + n + begin:8 + n + end])
        tensors[name] = torch.frombuffer(raw, dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
    return tensors


def write_safetensors(path, tensors):
    names = {dtype: name for name, dtype in DTYPES.items()}
    header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for key in sorted(tensors):
        t = tensors[key].detach().contiguous()
        raw = t.numpy().tobytes()
        header[key] = {"dtype": names[t.dtype], "shape": list(t.shape),
                       "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


# The modules of examples/export_for_pytorch.cpp, each with its inputs and how to run it.
def encoder_layer():
    return torch.nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, activation="gelu",
                                            batch_first=True, norm_first=True)


def encoder_layer_inputs():
    mask = torch.zeros(2, 5, dtype=torch.uint8)
    mask[1, 3:] = 1  # 1 = padding, as in ember; torch wants it as bool
    return {"input": torch.randn(2, 5, 16), "src_key_padding_mask": mask}


def run_encoder_layer(module, io):
    return {"output": module(io["input"], src_key_padding_mask=io["src_key_padding_mask"].bool())}


def lstm():
    return torch.nn.LSTM(8, 12, num_layers=2, bidirectional=True, batch_first=True)


def lstm_inputs():
    return {"input": torch.randn(3, 6, 8), "lengths": torch.tensor([6, 2, 4])}


def run_lstm(module, io):
    packed = pack_padded_sequence(io["input"], io["lengths"], batch_first=True,
                                  enforce_sorted=False)
    output, (h_n, c_n) = module(packed)
    output, _ = pad_packed_sequence(output, batch_first=True, total_length=io["input"].shape[1])
    return {"output": output, "h_n": h_n, "c_n": c_n}


CASES = {
    "transformer_encoder_layer": (encoder_layer, encoder_layer_inputs, run_encoder_layer),
    "lstm": (lstm, lstm_inputs, run_lstm),
}


def main(directory):
    torch.manual_seed(0)
    worst = 0.0
    for name, (make, make_inputs, run) in CASES.items():
        # ember -> torch
        module = make().eval()
        state = read_safetensors(f"{directory}/ember_{name}.safetensors")
        module.load_state_dict(state, strict=True)
        io = read_safetensors(f"{directory}/ember_{name}_io.safetensors")
        with torch.no_grad():
            outputs = run(module, io)
        print(f"ember -> torch  {name}: loaded {len(state)} tensors, strict")
        for key, value in outputs.items():
            error = (value - io[key]).abs().max().item()
            worst = max(worst, error)
            print(f"ember -> torch  {name}.{key}: max abs error {error:.3g}")
        # torch -> ember
        module = make().eval()
        io = make_inputs()
        with torch.no_grad():
            io.update(run(module, io))
        write_safetensors(f"{directory}/torch_{name}.safetensors", module.state_dict())
        write_safetensors(f"{directory}/torch_{name}_io.safetensors", io)
        print(f"wrote {directory}/torch_{name}.safetensors and torch_{name}_io.safetensors")
    return 0 if worst <= TOLERANCE else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} DIR")
    sys.exit(main(sys.argv[1]))
