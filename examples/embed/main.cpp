// Classifies MNIST test digits with a network compiled into flash, then fine-tunes its last layer on them.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include <typenet/typenet.hpp>

#include "mnist_test_digits.hpp"  // from typenet's tests/fixtures (TYPENET_FIXTURE_DIR)
#include "print.hpp"
#include "seed_mnist_network.hpp"
#include "split.hpp"

using namespace typenet;
using embed::print;

template <class... Last>
using SeedLayers = Network<Input<1, 28, 28>, Conv2D<8, Kernel<3>, Stride<2>>, LeakyReLU<>, Conv2D<2, Kernel<3>, Stride<2>>,
                           LeakyReLU<>, Flatten, Dense<72>, Sigmoid, Last...>;
using SeedNet = SeedLayers<Dense<10>, Sigmoid>;
using Body = SeedLayers<>;                            // frozen: runs from flash
using Head = Network<Input<72>, Dense<10>, Sigmoid>;  // fine-tuned: a trainable network in RAM
using Split = embed::SplitParameters<seed_mnist, Body, Head>;
constexpr std::size_t digits = mnist_test_digits::count;

// Every object the program uses is here, so arm-none-eabi-nm shows each one's RAM.
static RomInference<SeedNet, seed_mnist> inference;
static SeedNet::input_tensor image;
static RomInference<Body, Split::body> body;
static Head::input_tensor features[digits];
static Head head;
static auto optimizer = make_optimizer<Head>(for_layers<"Dense">(SGD{.learning_rate = 8.0, .momentum = 0.9}));

/// Runs the whole exported network; "expected" is what it predicted on the host when exported.
static std::size_t classify(std::size_t digit) {
    image = mnist_test_digits::input<SeedNet::input_tensor>(digit);
    const std::uint64_t start = board::clock();
    const std::size_t predicted = predicted_class(inference.predict(image));
    print("t10k #", mnist_test_digits::indices[digit], ": label ", mnist_test_digits::labels[digit], ", predicted ",
          predicted, ", expected ", mnist_test_digits::run_time_predictions[digit], " (", board::clock() - start, " ",
          board::clock_unit, ")");
    return predicted;
}

/// The frozen body's output for every digit: computed once, since fine-tuning never changes it.
static void extract_features() {
    for (std::size_t d = 0; d < digits; ++d) {
        image = mnist_test_digits::input<Body::input_tensor>(d);
        const auto x = body.predict(image);
        std::copy(x.begin(), x.end(), features[d].begin());
    }
}

/// One update of the head from all the digits (a demonstration: they are test digits, so what
/// it shows is that training runs on the device, not that the network generalises better).
static float fine_tune_step(std::size_t step) {
    const std::uint64_t start = board::clock();
    float loss = 0;
    for (std::size_t d = 0; d < digits; ++d) {
        Head::output_tensor gradient;
        loss += MeanSquaredError::compute(head.forward(features[d]), mnist_test_digits::labels[d], gradient);
        head.backward(gradient);
    }
    optimizer.step(head, 1.0f / digits);
    print("fine-tuning step ", step, ": loss ", loss / digits, " (", board::clock() - start, " ", board::clock_unit, ")");
    return loss / digits;
}

static std::size_t classified_as_labelled() {
    std::size_t correct = 0;
    for (std::size_t d = 0; d < digits; ++d)
        correct += predicted_class(head.forward(features[d])) == mnist_test_digits::labels[d];
    return correct;
}

int main() {
    print("typenet on ", board::name, ": parameters in flash ", SeedNet::flash_bytes, " B, inference RAM ",
          SeedNet::ram_bytes, " B; fine-tuning RAM ", Body::ram_bytes, " + ", Head::training_bytes, " + ",
          sizeof(optimizer), " B");
    bool as_expected = true;
    for (std::size_t d = 0; d < digits; ++d) as_expected &= classify(d) == mnist_test_digits::run_time_predictions[d];

    extract_features();
    std::copy_n(Split::head(), Head::parameter_count, head.parameters().begin());
    const float first = fine_tune_step(0);
    float last = first;
    for (std::size_t step = 1; step < 8; ++step) last = fine_tune_step(step);
    print("after fine-tuning: ", classified_as_labelled(), " of ", digits, " digits classified as labelled");

    const bool passed = as_expected && last < first;
    print(passed ? "embed: passed" : "embed: FAILED");
    return passed ? 0 : 1;
}
