// training_bytes and inference_bytes, hand-computed for a network of each layer kind and pinned
// to the objects' real sizes: every tensor takes whole 64-byte lines, an empty scratch none.
#include <cstddef>

#include <typenet/typenet.hpp>

namespace byte_counts_test {

using namespace typenet;

/// Both counts as literals, and both objects exactly that large.
template <class Net, std::size_t Training, std::size_t Inferring>
constexpr bool has_bytes() {
    static_assert(Net::training_bytes == Training);
    static_assert(Net::inference_bytes == Inferring);
    static_assert(sizeof(Net) == Training);
    static_assert(sizeof(Inference<Net>) == Inferring);
    return true;
}

static_assert(tensor_bytes<float>(0) == 0);
static_assert(tensor_bytes<float>(1) == 64);
static_assert(tensor_bytes<float>(16) == 64);
static_assert(tensor_bytes<float>(17) == 128);
static_assert(tensor_bytes<double>(9) == 128);

// Dense 3 -> 2: 8 parameters (one line each for values and gradients), input and output one line
// each, twice (activations and their gradients), no scratch. Inference: parameters and two
// one-line buffers; the empty scratch used to take a line of its own (256 instead of 192).
static_assert(has_bytes<Network<Input<3>, Dense<2>>, 2 * 64 + 2 * (64 + 64), 64 + 2 * 64>());
static_assert(has_bytes<BasicNetwork<double, Input<3>, Dense<2>>, 2 * 64 + 2 * (64 + 64), 64 + 2 * 64>());

// Conv2D 2 filters 3x3 on 1x5x5: 20 parameters (80 B -> 128), input 25 values (100 B -> 128),
// output 2x3x3 = 18 (72 B -> 128), scratch 9 taps x 9 positions = 81 values (324 B -> 384).
static_assert(has_bytes<Network<Input<1, 5, 5>, Conv2D<2, Kernel<3>>>, 2 * 128 + 2 * (128 + 128) + 384,
                        128 + 2 * 128 + 384>());

// Layers without parameters still have a parameter tensor of no values: one line.
// Pooling 2x4x4 -> 2x2x2: input 32 values (128 B), output 8 (32 B -> 64).
static_assert(has_bytes<Network<Input<2, 4, 4>, MaxPool<2>>, 2 * 64 + 2 * (128 + 64), 64 + 2 * 64>());
static_assert(has_bytes<Network<Input<2, 4, 4>, AvgPool<2>>, 2 * 64 + 2 * (128 + 64), 64 + 2 * 64>());
// Flatten 2x3x3 -> 18: 72 B -> 128 on each side.
static_assert(has_bytes<Network<Input<2, 3, 3>, Flatten>, 2 * 64 + 2 * (128 + 128), 64 + 2 * 128>());
// Element-wise layers on 20 values (80 B -> 128).
static_assert(has_bytes<Network<Input<20>, ReLU>, 2 * 64 + 2 * (128 + 128), 64 + 2 * 128>());
static_assert(has_bytes<Network<Input<20>, LeakyReLU<>>, 2 * 64 + 2 * (128 + 128), 64 + 2 * 128>());
static_assert(has_bytes<Network<Input<20>, Sigmoid>, 2 * 64 + 2 * (128 + 128), 64 + 2 * 128>());
static_assert(has_bytes<Network<Input<20>, Tanh>, 2 * 64 + 2 * (128 + 128), 64 + 2 * 128>());
static_assert(has_bytes<Network<Input<20>, Softmax>, 2 * 64 + 2 * (128 + 128), 64 + 2 * 128>());

// Two convolutions: training keeps each one's scratch, inference only the larger one's.
// Conv2D<2, Kernel<3>> on 1x5x5 as above, then Conv2D<1, Kernel<3>> on 2x3x3: 19 parameters
// (39 in all: 156 B -> 192), output 1x1x1 (64), scratch 18 taps x 1 position, so 99 values
// in all (396 B -> 448) and 81 at most (384).
static_assert(has_bytes<Network<Input<1, 5, 5>, Conv2D<2, Kernel<3>>, Conv2D<1, Kernel<3>>>,
                        2 * 192 + 2 * (128 + 128 + 64) + 448, 192 + 2 * 128 + 384>());

}  // namespace byte_counts_test
