#!/usr/bin/python3
"""Writes the PyTorch fixtures of tests/unit/pytorch_import_test.cpp into tests/fixtures/pytorch/.

Run by hand, only when the fixtures must change (CI never needs PyTorch):

    apt-get install python3-torch      # Debian 12: PyTorch 1.13 and NumPy
    /usr/bin/python3 scripts/make-pytorch-fixtures.py

For the seed network and LeNet-5, built in PyTorch exactly as typenet declares them, it writes
<name>.safetensors and <name>.npz (the state_dict) and <name>-outputs-4x10.f32, PyTorch's outputs
for the four inputs in inputs-4x1x28x28.f32 (raw little-endian float32, row-major).

The seed network's npz is written with np.savez (stored members), LeNet-5's with
np.savez_compressed (deflated members), so the test reads both kinds of zip member. LeNet-5's
weights are rounded to multiples of 1/1024 so that its files compress (in git too): a float32 of
the form k/1024 has mostly zero mantissa bits. PyTorch computes the references from the rounded
weights, so the comparison is as strict as with any others.
"""
import pathlib
import sys

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from typenet_pytorch import lenet5, seed_network, write_safetensors  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pytorch"


def write_f32(path, array):
    path.write_bytes(np.ascontiguousarray(array, dtype="<f4").tobytes())


def main():
    torch.manual_seed(20260101)
    OUT.mkdir(parents=True, exist_ok=True)
    inputs = torch.rand(4, 1, 28, 28)
    write_f32(OUT / "inputs-4x1x28x28.f32", inputs.numpy())
    for name, model, save in (("seed", seed_network(), np.savez), ("lenet", lenet5(), np.savez_compressed)):
        if name == "lenet":
            with torch.no_grad():
                for p in model.parameters():
                    p.copy_(torch.round(p * 1024) / 1024)
        model.eval()
        state = model.state_dict()
        write_safetensors(OUT / f"{name}.safetensors", state)
        save(OUT / f"{name}.npz", **{key: value.numpy() for key, value in state.items()})
        with torch.no_grad():
            write_f32(OUT / f"{name}-outputs-4x10.f32", model(inputs).numpy())
    for path in sorted(OUT.iterdir()):
        print(f"{path.stat().st_size:8d}  {path.relative_to(OUT.parent.parent.parent)}")


if __name__ == "__main__":
    main()
