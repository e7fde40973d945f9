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

// Training bytes: parameters and gradients, then the network's one-sample Batch<1>: the input,
// the output and its gradient, the work area (outputs of all layers but the last, their
// gradients, every layer's scratch), and the pass's context on a line of its own.
//
// Dense 3 -> 2: 8 parameters (one line each for values and gradients), input one line, output
// and its gradient one line each, no work area. Inference: parameters and two one-line buffers;
// the empty scratch used to take a line of its own (256 instead of 192).
static_assert(has_bytes<Network<Input<3>, Dense<2>>, 2 * 64 + 64 + 2 * 64 + 64, 64 + 2 * 64>());
static_assert(has_bytes<BasicNetwork<double, Input<3>, Dense<2>>, 2 * 64 + 64 + 2 * 64 + 64, 64 + 2 * 64>());

// Conv2D 2 filters 3x3 on 1x5x5: 20 parameters (80 B -> 128), input 25 values (100 B -> 128),
// output 2x3x3 = 18 (72 B -> 128), scratch the input shifted by each of the 3 kernel columns:
// 3 copies of 5 rows of 3 = 45 values (180 B -> 192), where the column matrix had 9 taps x 9
// positions = 81 (384).
static_assert(has_bytes<Network<Input<1, 5, 5>, Conv2D<2, Kernel<3>>>, 2 * 128 + 128 + 2 * 128 + 192 + 64,
                        128 + 2 * 128 + 192>());
// At stride 2 the column matrix: 9 taps x 2x2 positions = 36 values (144 B -> 192), output 8
// values (64 each for it and its gradient).
static_assert(has_bytes<Network<Input<1, 5, 5>, Conv2D<2, Kernel<3>, Stride<2>>>, 2 * 128 + 128 + 2 * 64 + 192 + 64,
                        128 + 2 * 64 + 192>());

// Layers without parameters still have a parameter tensor of no values: one line.
// Pooling 2x4x4 -> 2x2x2: input 32 values (128 B), output 8 (32 B -> 64).
static_assert(has_bytes<Network<Input<2, 4, 4>, MaxPool<2>>, 2 * 64 + 128 + 2 * 64 + 64, 64 + 2 * 64>());
static_assert(has_bytes<Network<Input<2, 4, 4>, AvgPool<2>>, 2 * 64 + 128 + 2 * 64 + 64, 64 + 2 * 64>());
// Flatten 2x3x3 -> 18: 72 B -> 128 on each side.
static_assert(has_bytes<Network<Input<2, 3, 3>, Flatten>, 2 * 64 + 128 + 2 * 128 + 64, 64 + 2 * 128>());
// Element-wise layers on 20 values (80 B -> 128).
static_assert(has_bytes<Network<Input<20>, ReLU>, 2 * 64 + 128 + 2 * 128 + 64, 64 + 2 * 128>());
static_assert(has_bytes<Network<Input<20>, LeakyReLU<>>, 2 * 64 + 128 + 2 * 128 + 64, 64 + 2 * 128>());
static_assert(has_bytes<Network<Input<20>, Sigmoid>, 2 * 64 + 128 + 2 * 128 + 64, 64 + 2 * 128>());
static_assert(has_bytes<Network<Input<20>, Tanh>, 2 * 64 + 128 + 2 * 128 + 64, 64 + 2 * 128>());
static_assert(has_bytes<Network<Input<20>, Softmax>, 2 * 64 + 128 + 2 * 128 + 64, 64 + 2 * 128>());

// Two convolutions: training keeps each one's scratch, inference only the larger one's.
// Conv2D<2, Kernel<3>> on 1x5x5 as above, then Conv2D<1, Kernel<3>> on 2x3x3: 19 parameters
// (39 in all: 156 B -> 192), output 1x1x1 (64 for it, 64 for its gradient). Work area: the
// first convolution's output and its gradient (18 values, 72 B -> 128 each), its scratch (45
// values -> 192) and the second's (one output position: the column matrix, 18 taps -> 128).
// Inference: 45 at most (192).
static_assert(has_bytes<Network<Input<1, 5, 5>, Conv2D<2, Kernel<3>>, Conv2D<1, Kernel<3>>>,
                        2 * 192 + 128 + 2 * 64 + (128 + 128 + 192 + 128) + 64, 192 + 2 * 128 + 192>());

// A residual block of two element-wise layers on 20 values (128 B): the block's scratch holds the
// body's work area (ReLU's output and its gradient, 128 each) and the body's output (128), so
// 384; the network's work area is that scratch alone.
static_assert(has_bytes<Network<Input<20>, Residual<ReLU, Tanh>>, 2 * 64 + 128 + 2 * 128 + 384 + 64,
                        64 + 2 * 128 + 384>());

// A batch of 3 of the two convolutions: inputs 75 values (300 B -> 320), outputs and their
// gradients 3 values (64 each), work area: 54-value output and gradient (216 B -> 256 each),
// scratch 135 values (540 B -> 576) and 54 (256), context 64.
static_assert(Network<Input<1, 5, 5>, Conv2D<2, Kernel<3>>, Conv2D<1, Kernel<3>>>::batch_bytes<3> ==
              320 + 2 * 64 + (256 + 256 + 576 + 256) + 64);
static_assert(sizeof(Network<Input<1, 5, 5>, Conv2D<2, Kernel<3>>, Conv2D<1, Kernel<3>>>::Batch<3>) ==
              320 + 2 * 64 + (256 + 256 + 576 + 256) + 64);

}  // namespace byte_counts_test
