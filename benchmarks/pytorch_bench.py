#!/usr/bin/python3
"""PyTorch's side of scripts/bench.sh: the networks of benchmarks/networks.hpp with the shapes,
losses, optimizers and batch sizes of benchmarks/bench_runner.cpp, on random data, on one thread.
Prints key=value lines with bench_runner's keys; every figure is the median of several runs after
a warm-up run. TYPENET_BENCH_QUICK=1 makes every run short.

    /usr/bin/python3 benchmarks/pytorch_bench.py     # Debian 12: apt-get install python3-torch
"""
import os
import pathlib
import statistics
import sys
import time

import torch
from torch import nn

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "scripts"))
import typenet_pytorch  # noqa: E402  the seed network and LeNet-5, as the PyTorch fixtures build them

QUICK = os.environ.get("TYPENET_BENCH_QUICK") == "1"
RUNS = 2 if QUICK else 5


class Residual(nn.Module):
    """typenet's Residual: body(x) + x, or body(x) + shortcut(x) when the body changes the shape."""

    def __init__(self, body, shortcut=None):
        super().__init__()
        self.body = body
        self.shortcut = shortcut if shortcut is not None else nn.Identity()

    def forward(self, x):
        return self.body(x) + self.shortcut(x)


class Concat(nn.Module):
    """typenet's Concat: the branches on the same input, stacked along channels."""

    def __init__(self, *branches):
        super().__init__()
        self.branches = nn.ModuleList(branches)

    def forward(self, x):
        return torch.cat([branch(x) for branch in self.branches], dim=1)


def resnet():
    """benchmarks/networks.hpp's ResNet (examples/mnist_resnet.cpp's). typenet's Pad<same> is
    (k - 1) / 2 zeros on each side, so padding=1 for 3x3, also at stride 2."""
    block = Residual(nn.Sequential(nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
                                   nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32)))
    downsample = Residual(nn.Sequential(nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
                                        nn.Conv2d(64, 64, 3, padding=1), nn.BatchNorm2d(64)),
                          shortcut=nn.Sequential(nn.Conv2d(32, 64, 1, stride=2), nn.BatchNorm2d(64)))
    mixer = Concat(nn.Sequential(nn.Conv2d(64, 64, 1), nn.BatchNorm2d(64), nn.ReLU()),
                   nn.Sequential(nn.Conv2d(64, 64, 3, padding=1, groups=64), nn.BatchNorm2d(64), nn.ReLU()))
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                         block, nn.ReLU(), downsample, nn.ReLU(), mixer,
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.25), nn.Linear(128, 10))


def typenet_parameter_count(model):
    """As typenet counts them: BatchNorm's running statistics too (its state tensors), not
    num_batches_tracked, which typenet does not keep."""
    buffers = sum(b.numel() for name, b in model.named_buffers() if not name.endswith("num_batches_tracked"))
    return sum(p.numel() for p in model.parameters()) + buffers


def blas_library():
    """The BLAS that runs the dense layers: Debian's torch takes whichever libblas.so.3 the
    system's alternatives select (the slow reference BLAS unless OpenBLAS or BLIS is installed)."""
    torch.ones(2, 2) @ torch.ones(2, 2)  # loads it
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line.split()[-1]}
    return ", ".join(sorted(paths)) or "none loaded (built in)"


def flops_per_sample(model, training):
    """FLOPs of one 28x28 sample through the model's convolutions and dense layers, a multiply and
    an add for every use of a weight; in training also backward's two products (weight gradients
    and input gradients, none for the first layer's input). Neither side can run a sample faster
    than this over the core's peak, whatever its kernels: bench.sh turns each target into the
    share of the peak it asks for."""
    macs = []

    def count(module, inputs, output):
        if isinstance(module, nn.Conv2d):
            per_output = module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]
        else:
            per_output = module.in_features
        macs.append(output[0].numel() * per_output)

    hooks = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        model(torch.zeros(1, 1, 28, 28))
    model.train(was_training)
    for hook in hooks:
        hook.remove()
    forward = 2 * sum(macs)
    return 3 * forward - 2 * macs[0] if training else forward


def median_seconds(work, runs=RUNS):
    """Median seconds of work() over `runs` runs, after one more that warms up."""
    work()
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def training_rate(model, optimizers, loss, targets, batch, samples):
    """Samples/s of epochs over `samples` random images in a fresh random order, as typenet's fit."""
    images = torch.rand(samples, 1, 28, 28)
    targets = targets(samples)
    model.train()

    def epoch():
        order = torch.randperm(samples)
        for first in range(0, samples, batch):
            chosen = order[first:first + batch]
            for optimizer in optimizers:
                optimizer.zero_grad(set_to_none=True)
            loss(model(images[chosen]), targets[chosen]).backward()
            for optimizer in optimizers:
                optimizer.step()

    return samples / median_seconds(epoch)


def labels(samples):
    return torch.randint(0, 10, (samples,))


def one_hot_labels(samples):
    return nn.functional.one_hot(labels(samples), 10).float()


def latency_us(model, rounds, calls=200):
    """Median microseconds of one batch-1 call, over rounds of `calls` calls."""
    x = torch.rand(1, 1, 28, 28)
    with torch.inference_mode():
        model(x)
        micros = []
        for _ in range(rounds):
            start = time.perf_counter()
            for _ in range(calls):
                model(x)
            micros.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(micros)


def inference_seconds(module, shape, runs):
    x = torch.rand(*shape)
    with torch.inference_mode():
        return median_seconds(lambda: module(x), runs)


def main():
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    torch.manual_seed(1)
    print(f"torch_version={torch.__version__}\ntorch_threads={torch.get_num_threads()}\n"
          f"torch_mkldnn={torch.backends.mkldnn.is_available()}\ntorch_blas={blas_library()}")

    seed, lenet, res = typenet_pytorch.seed_network(), typenet_pytorch.lenet5(), resnet()
    for name, model in (("seed", seed), ("lenet", lenet), ("resnet", res)):
        print(f"params_{name}={typenet_parameter_count(model)}")

    print(f"flops_seed_train={flops_per_sample(seed, True)}\nflops_lenet_infer={flops_per_sample(lenet, False)}\n"
          f"flops_lenet_train={flops_per_sample(lenet, True)}\nflops_resnet_train={flops_per_sample(res, True)}")

    # The seed network: SGD on the convolutions, Adam on the dense layers, as throughput.cpp.
    convs = [p for m in seed if isinstance(m, nn.Conv2d) for p in m.parameters()]
    denses = [p for m in seed if isinstance(m, nn.Linear) for p in m.parameters()]
    optimizers = [torch.optim.SGD(convs, lr=0.01), torch.optim.Adam(denses, lr=0.01)]
    rate = training_rate(seed, optimizers, nn.functional.mse_loss, one_hot_labels, 1, 500 if QUICK else 2000)
    print(f"seed_train={rate:.1f}")

    lenet.eval()
    print(f"lenet_latency_us={latency_us(lenet, 10 if QUICK else 50):.2f}")
    batch_runs = 5 if QUICK else 30
    seconds = inference_seconds(lenet, (256, 1, 28, 28), batch_runs)
    print(f"lenet_b256={256 / seconds:.1f}")
    # The convolutions alone on the shapes they see in the pass, as bench_runner times typenet's.
    conv_seconds, flops = 0.0, 0.0
    for conv, shape in ((lenet[0], (256, 1, 28, 28)), (lenet[3], (256, 6, 14, 14))):
        conv_seconds += inference_seconds(conv, shape, batch_runs)
        with torch.inference_mode():
            out = conv(torch.zeros(1, *shape[1:]))
        flops += 2 * conv.weight.numel() * out.shape[2] * out.shape[3]
    print(f"lenet_conv_gflops={256 * flops / conv_seconds / 1e9:.2f}\nlenet_conv_share={conv_seconds / seconds:.3f}\n"
          f"lenet_conv_mflop_per_image={flops / 1e6:.4f}")

    optimizers = [torch.optim.Adam(lenet.parameters(), lr=1e-3)]
    rate = training_rate(lenet, optimizers, nn.functional.cross_entropy, labels, 32, 640 if QUICK else 3200)
    print(f"lenet_train32={rate:.1f}")

    optimizers = [torch.optim.Adam(res.parameters(), lr=1e-3)]
    rate = training_rate(res, optimizers, nn.functional.cross_entropy, labels, 64, 128 if QUICK else 640)
    print(f"resnet_train64={rate:.1f}")


if __name__ == "__main__":
    main()
