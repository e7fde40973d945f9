"""typenet's networks and MNIST preprocessing in PyTorch, shared by the scripts that make
fixtures and train references (run with Debian's /usr/bin/python3 and python3-torch)."""
import json
import struct

import numpy as np
from torch import nn


def seed_network():
    """examples/mnist_seed.cpp's network. typenet's LeakyReLU<> has alpha 0.001 (PyTorch's 0.01)."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, stride=2), nn.LeakyReLU(0.001),
        nn.Conv2d(8, 2, 3, stride=2), nn.LeakyReLU(0.001),
        nn.Flatten(), nn.Linear(72, 72), nn.Sigmoid(), nn.Linear(72, 10), nn.Sigmoid())


def lenet5():
    """examples/mnist_lenet.cpp's network."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


NETWORKS = {"seed": seed_network, "lenet": lenet5}


def write_safetensors(path, tensors):
    """The safetensors layout, written by hand because Debian ships no safetensors package:
    u64 little-endian header size, a JSON header padded with spaces to a multiple of 8, then the
    data. Tensors are stored in state_dict order."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, tensor in tensors.items():
        blob = tensor.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def write_npz(path, tensors):
    np.savez(path, **{key: value.detach().numpy() for key, value in tensors.items()})


# --- load_mnist's preprocessing (include/typenet/data/mnist.hpp), step for step ----------------

_MASK = (1 << 64) - 1


class SplitMix64:
    """typenet::Random: the same sequence as the C++ generator."""

    def __init__(self, seed):
        self.state = seed & _MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & _MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def below(self, bound):
        threshold = (-bound) % bound
        while True:
            r = self.next()
            if r >= threshold:
                return r % bound


def shuffled_order(count, seed):
    """typenet::shuffle's permutation: Fisher-Yates from the back."""
    order, random = list(range(count)), SplitMix64(seed)
    for i in range(count, 1, -1):
        j = random.below(i)
        order[i - 1], order[j] = order[j], order[i - 1]
    return order


def min_max(images):
    """Each image to [0, 1] by its own minimum and maximum, in float32 as typenet does."""
    flat = images.reshape(len(images), -1).astype(np.float32)
    low = flat.min(axis=1, keepdims=True)
    span = flat.max(axis=1, keepdims=True) - low
    safe = np.where(span > 0, span, np.float32(1))
    return np.where(span > 0, (flat - low) / safe, np.float32(0)).reshape(images.shape).astype(np.float32)


def load_mnist(directory, validation=10000, seed=1):
    """(train, validation, test) as (images N x 1 x 28 x 28 float32, labels int64) and the mean,
    exactly as typenet's load_mnist with the examples' defaults."""
    from torchvision.datasets.mnist import read_image_file, read_label_file  # reads the IDX files
    images = read_image_file(f"{directory}/train-images-idx3-ubyte").numpy()
    labels = read_label_file(f"{directory}/train-labels-idx1-ubyte").numpy().astype(np.int64)
    order = np.array(shuffled_order(len(images), seed))
    images, labels = images[order], labels[order]
    train_count = len(images) - validation
    splits = [(images[:train_count], labels[:train_count]), (images[train_count:], labels[train_count:]),
              (read_image_file(f"{directory}/t10k-images-idx3-ubyte").numpy(),
               read_label_file(f"{directory}/t10k-labels-idx1-ubyte").numpy().astype(np.int64))]
    splits = [(min_max(x), y) for x, y in splits]
    mean = float(splits[0][0].astype(np.float64).mean())
    splits = [(((x.astype(np.float64) - mean).astype(np.float32))[:, None, :, :], y) for x, y in splits]
    return splits, mean
