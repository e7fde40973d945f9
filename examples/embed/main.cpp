// Classifies MNIST test digits with a network compiled into flash, then fine-tunes its last layer on them.
#include <array>
#include <cstddef>
#include <cstdint>

#include <typenet/typenet.hpp>

#include "mnist_test_digits.hpp"         // from typenet's tests/fixtures (TYPENET_FIXTURE_DIR)
#include "print.hpp"
#include "pytorch_seed_network.hpp"       // trained in PyTorch, imported and exported by mnist_seed
#include "pytorch_seed_predictions.hpp"   // the classes PyTorch gave the digits
#include "seed_mnist_network.hpp"         // trained by typenet

using namespace typenet;
using embed::print;

using SeedNet = Network<Input<1, 28, 28>, Conv2D<8, Kernel<3>, Stride<2>>, LeakyReLU<>, Conv2D<2, Kernel<3>, Stride<2>>,
                        LeakyReLU<>, Flatten, Dense<72>, Sigmoid, Dense<10>, Sigmoid>;
constexpr std::size_t digits = mnist_test_digits::count;

// Every object the program uses is here, so arm-none-eabi-nm shows each one's RAM.
static RomInference<SeedNet, seed_mnist> inference;
static RomInference<SeedNet, pytorch_seed_network> from_pytorch;
static SeedNet::input_tensor image;
static SeedNet net;  // fine-tuned in RAM; static, as its training_bytes would not fit a small stack
// Layers 0-6 stay as exported: backward stops at layer 7, and only Dense<10> keeps optimizer state.
static auto optimizer =
    make_optimizer<SeedNet>(layers<0, 7>(Frozen{}), layers<7, 9>(SGD{.learning_rate = 8.0, .momentum = 0.9}));

/// Runs an exported network on every digit and compares with what its origin predicted: typenet
/// on the host when it exported the network, or PyTorch.
template <class Inference>
static bool classifies_as(Inference& network, const char* origin, const std::array<std::uint8_t, digits>& expected) {
    bool all = true;
    for (std::size_t d = 0; d < digits; ++d) {
        image = mnist_test_digits::input<SeedNet::input_tensor>(d);
        const std::uint64_t start = board::clock();
        const std::size_t predicted = predicted_class(network.predict(image));
        print(origin, ": t10k #", mnist_test_digits::indices[d], ": label ", mnist_test_digits::labels[d],
              ", predicted ", predicted, ", expected ", expected[d], " (", board::clock() - start, " ",
              board::clock_unit, ")");
        all &= predicted == expected[d];
    }
    return all;
}

/// One update of the last layer from all the digits (a demonstration: they are test digits, so
/// what it shows is that training runs on the device, not that the network generalises better).
static float fine_tune_step(std::size_t step) {
    const std::uint64_t start = board::clock();
    float loss = 0;
    for (std::size_t d = 0; d < digits; ++d) {
        SeedNet::output_tensor gradient;
        image = mnist_test_digits::input<SeedNet::input_tensor>(d);
        loss += MeanSquaredError::compute(net.forward(image), mnist_test_digits::labels[d], gradient);
        net.backward<decltype(optimizer)::trained_layers>(gradient);
    }
    optimizer.step(net, 1.0f / digits);
    print("fine-tuning step ", step, ": loss ", loss / digits, " (", board::clock() - start, " ", board::clock_unit, ")");
    return loss / digits;
}

static std::size_t classified_as_labelled() {
    std::size_t correct = 0;
    for (std::size_t d = 0; d < digits; ++d) {
        image = mnist_test_digits::input<SeedNet::input_tensor>(d);
        correct += predicted_class(net.forward(image)) == mnist_test_digits::labels[d];
    }
    return correct;
}

int main() {
    print("typenet on ", board::name, ": parameters in flash ", SeedNet::flash_bytes, " B, inference RAM ",
          SeedNet::ram_bytes, " B; fine-tuning RAM ", SeedNet::training_bytes, " + ", decltype(optimizer)::state_bytes, " B");
    // Both run, so the output shows both networks' classes whatever the first one finds.
    const bool typenet_as_expected = classifies_as(inference, "typenet", mnist_test_digits::run_time_predictions);
    const bool pytorch_as_expected = classifies_as(from_pytorch, "PyTorch", pytorch_seed_predictions::classes);
    const bool as_expected = typenet_as_expected && pytorch_as_expected;

    net.parameters().values = parameters_for<SeedNet, seed_mnist>();
    const float first = fine_tune_step(0);
    float last = first;
    for (std::size_t step = 1; step < 8; ++step) last = fine_tune_step(step);
    print("after fine-tuning: ", classified_as_labelled(), " of ", digits, " digits classified as labelled");

    const bool passed = as_expected && last < first;
    print(passed ? "embed: passed" : "embed: FAILED");
    return passed ? 0 : 1;
}
