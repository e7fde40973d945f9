// The seed framework's network on MNIST: MSE on sigmoid outputs, batch 1, SGD for the
// convolutions and Adam for the dense layers. `--variant pooled` is the seed text's variant.
#include <memory>

#include <typenet/typenet.hpp>

#include "support/mnist_run.hpp"

using namespace typenet;

// 3x3 convolutions with stride 2 instead of pooling: 1x28x28 -> 8x13x13 -> 2x6x6 -> 72 -> 10.
using StridedSeed = Network<Input<1, 28, 28>,
                            Conv2D<8, Kernel<3>, Stride<2>>, LeakyReLU<>,
                            Conv2D<2, Kernel<3>, Stride<2>>, LeakyReLU<>,
                            Flatten, Dense<72>, Sigmoid, Dense<10>, Sigmoid>;

// "Same" 3x3 convolutions, each followed by 2x2 max pooling: 8x28x28 -> 8x14x14 -> 2x14x14 -> 2x7x7.
using PooledSeed = Network<Input<1, 28, 28>,
                           Conv2D<8, Kernel<3>, Pad<same>>, LeakyReLU<>, MaxPool<2>,
                           Conv2D<2, Kernel<3>, Pad<same>>, LeakyReLU<>, MaxPool<2>,
                           Flatten, Dense<72>, Sigmoid, Dense<10>, Sigmoid>;

template <class Net>
int run(const examples::Settings& settings, const std::string& title) {
    auto net = std::make_unique<Net>();  // the only allocation for the network; training makes none
    initialize(*net, Init::xavier_uniform, settings.seed);
    auto optimizer = make_optimizer<Net>(for_layers<"Conv2D">(SGD{.learning_rate = 0.01}),
                                         for_layers<"Dense">(Adam{.learning_rate = 0.01}));
    return examples::train_on_mnist<MeanSquaredError, 1>(title, *net, optimizer, settings);
}

int main(int argc, char** argv) {
    return examples::run_example([&] {
        examples::Settings defaults;
        defaults.out = "out/seed";
        const auto settings = examples::parse(argc, argv, "Trains the seed framework's CNN on MNIST.", defaults,
                                              examples::Extras{{}, {"strided", "pooled"}});
        if (!settings) return 0;
        if (settings->variant == "pooled") return run<PooledSeed>(*settings, "seed network, pooled variant");
        return run<StridedSeed>(*settings, "seed network");
    });
}
