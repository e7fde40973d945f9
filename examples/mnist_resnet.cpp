// A small residual network on MNIST: BatchNorm, residual and concat blocks, a depthwise branch,
// GlobalAvgPool and Dropout, trained with Adam on a cosine schedule and randomly turned, scaled
// and shifted images.
#include <algorithm>
#include <memory>
#include <ratio>

#include <typenet/typenet.hpp>

#include "support/mnist_run.hpp"

using namespace typenet;

using Block = Residual<Conv2D<32, Kernel<3>, Pad<same>>, BatchNorm, ReLU, Conv2D<32, Kernel<3>, Pad<same>>, BatchNorm>;
using Downsample = Residual<Shortcut<Conv2D<64, Kernel<1>, Stride<2>>, BatchNorm>,  // the body halves the size
                            Conv2D<64, Kernel<3>, Stride<2>, Pad<same>>, BatchNorm, ReLU,
                            Conv2D<64, Kernel<3>, Pad<same>>, BatchNorm>;
using Mixer = Concat<Sequential<Conv2D<64, Kernel<1>>, BatchNorm, ReLU>,                 // across channels
                     Sequential<DepthwiseConv2D<Kernel<3>, Pad<same>>, BatchNorm, ReLU>>;  // within each

using ResNet = Network<Input<1, 28, 28>,
                       Conv2D<32, Kernel<3>, Pad<same>>, BatchNorm, ReLU, MaxPool<2>,  // 32x14x14
                       Block, ReLU,
                       Downsample, ReLU,                                                // 64x7x7
                       Mixer,                                                           // 128x7x7
                       GlobalAvgPool, Dropout<std::ratio<1, 4>>, Dense<10>>;

// The batch size is part of the trainer's type, so each offered size is compiled in.
template <std::size_t Batch>
int run(const examples::Settings& settings) {
    auto net = std::make_unique<ResNet>();
    initialize(*net, Init::he_uniform, settings.seed);
    // The rate falls along half a cosine to zero over the whole run (MNIST's training file has
    // 60,000 images), which lets the last epochs settle; weight decay spares biases and BatchNorm.
    const std::size_t images = std::min<std::size_t>(settings.limit > 0 ? settings.limit : 60000, 60000 - settings.validation);
    const std::size_t steps = std::max<std::size_t>(1, settings.epochs * ((images + Batch - 1) / Batch));
    const auto group = for_all_layers(Adam{.learning_rate = 0.003, .weight_decay = 1e-4}, CosineDecay{.steps = steps},
                                      DecayScope::declared);
    auto optimizer = std::make_unique<decltype(make_optimizer<ResNet>(group))>(group);
    return examples::train_on_mnist<SoftmaxCrossEntropy, Batch>("Residual network", *net, *optimizer, settings);
}

int main(int argc, char** argv) {
    return examples::run_example([&] {
        examples::Settings defaults;
        defaults.out = "out/resnet";
        defaults.epochs = 20;
        defaults.batch = 64;
        defaults.validation = 5000;
        defaults.shift = 2;
        defaults.rotate = 12;
        defaults.zoom = 0.12;
        defaults.recalibrate = true;
        const auto settings = examples::parse(argc, argv, "Trains a small residual network on MNIST.", defaults,
                                              examples::Extras{{32, 64}, {}});
        if (!settings) return 0;
        return settings->batch == 32 ? run<32>(*settings) : run<64>(*settings);
    });
}
