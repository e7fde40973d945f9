// A layer written outside typenet (user_layer/scale.hpp) in a network: it initialises, trains and prints.
#include <array>
#include <cstddef>

#include <typenet/typenet.hpp>
#include <typenet/viz/summary.hpp>

#include "user_layer/scale.hpp"

using namespace typenet;

using Net = Network<Input<1, 8, 8>, Conv2D<4, Kernel<3>>, Scale<4>, ReLU, Flatten, Dense<2>, Scale<2>>;

int main() {
    fmt::print("{}\n", Net::summary());
    static Net net;
    initialize(net, Init::he_uniform, 1);  // Scale's "scale" starts at 1, its "shift" at 0

    // Tell a bright top half from a bright bottom half.
    std::array<Net::input_tensor, 2> images{};
    for (std::size_t x = 0; x < 8; ++x)
        for (std::size_t y = 0; y < 4; ++y) images[0](0, y, x) = images[1](0, y + 4, x) = 1.0f;
    Net::output_tensor gradient;
    const auto mean_loss = [&] {
        return (SoftmaxCrossEntropy::compute(net.forward(images[0]), 0, gradient) +
                SoftmaxCrossEntropy::compute(net.forward(images[1]), 1, gradient)) / 2;
    };
    const float before = mean_loss();
    auto optimizer = make_optimizer<Net>(for_all_layers(Adam{.learning_rate = 0.01}));
    for (int step = 0; step < 100; ++step) {
        SoftmaxCrossEntropy::compute(net.forward(images[step % 2]), step % 2, gradient);
        net.backward(gradient);
        optimizer.step(net);
    }
    const float after = mean_loss();
    fmt::print("mean loss: {:.4f} before training, {:.4f} after 100 steps\n", before, after);
    fmt::print("trained scale of layer 1: {:.3f}\n", fmt::join(net.layer_tensor<1, "scale">(), " "));
    return after < before / 10 ? 0 : 1;
}
