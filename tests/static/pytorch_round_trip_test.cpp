// The round trip from PyTorch to the device: a seed network trained in PyTorch
// (scripts/pytorch-mnist.py), imported by mnist_seed --import and exported with --export,
// gives the fixture digits the classes PyTorch gave them, here computed by the compiler.
#include <array>
#include <cstddef>
#include <cstdint>

#include <typenet/typenet.hpp>

#include "../fixtures/mnist_test_digits.hpp"
#include "../fixtures/pytorch_seed_network.hpp"
#include "../fixtures/pytorch_seed_predictions.hpp"

namespace pytorch_round_trip_test {

using namespace typenet;

using SeedNet = Network<Input<1, 28, 28>, Conv2D<8, Kernel<3>, Stride<2>>, LeakyReLU<>, Conv2D<2, Kernel<3>, Stride<2>>,
                        LeakyReLU<>, Flatten, Dense<72>, Sigmoid, Dense<10>, Sigmoid>;

constexpr std::array<std::uint8_t, mnist_test_digits::count> classify_all() {
    std::array<std::uint8_t, mnist_test_digits::count> classes{};
    RomInference<SeedNet, pytorch_seed_network> inference;
    for (std::size_t digit = 0; digit < classes.size(); ++digit)
        classes[digit] = static_cast<std::uint8_t>(
            predicted_class(inference.predict(mnist_test_digits::input<SeedNet::input_tensor>(digit))));
    return classes;
}

static_assert(classify_all() == pytorch_seed_predictions::classes);
// PyTorch's network gets t10k image 9 right, where typenet's own seed network says 7.
static_assert(pytorch_seed_predictions::classes == std::array<std::uint8_t, 8>{7, 2, 1, 0, 4, 9, 9, 7});

}  // namespace pytorch_round_trip_test
