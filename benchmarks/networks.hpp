// The networks the benchmarks measure, and a random data source shaped like MNIST.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include <typenet/typenet.hpp>

namespace bench {

using namespace typenet;

using SeedNet = Network<Input<1, 28, 28>,
                        Conv2D<8, Kernel<3>, Stride<2>>, LeakyReLU<>, Conv2D<2, Kernel<3>, Stride<2>>, LeakyReLU<>,
                        Flatten, Dense<72>, Sigmoid, Dense<10>, Sigmoid>;

using LeNet5 = Network<Input<1, 28, 28>,
                       Conv2D<6, Kernel<5>, Pad<2>>, ReLU, MaxPool<2>, Conv2D<16, Kernel<5>>, ReLU, MaxPool<2>,
                       Flatten, Dense<120>, ReLU, Dense<84>, ReLU, Dense<10>>;

/// Uniform random 28x28 images with random labels: the speed of a step does not depend on the data.
struct RandomImages {
    std::vector<float> pixels;
    std::vector<std::size_t> labels;

    explicit RandomImages(std::size_t count, std::uint64_t seed = 1) : pixels(count * 784), labels(count) {
        Random random(seed);
        for (auto& p : pixels) p = float(random.uniform());
        for (auto& l : labels) l = random.below(10);
    }
    std::size_t size() const { return labels.size(); }
    std::span<const float> image(std::size_t i) const { return {pixels.data() + i * 784, 784}; }
    std::size_t label(std::size_t i) const { return labels[i]; }
};

}  // namespace bench
