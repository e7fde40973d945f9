// Optimizer::state_bytes, hand-computed and pinned to the optimizer's real size: rules, state
// tensors on whole 64-byte lines, the step counter, padding; a Frozen group takes nothing.
#include <cstddef>

#include <typenet/typenet.hpp>

namespace optimizer_bytes_test {

using namespace typenet;

template <class Opt, std::size_t Bytes>
constexpr bool has_bytes() {
    static_assert(Opt::state_bytes == Bytes);
    static_assert(sizeof(Opt) == Bytes);
    return true;
}

// A group is its rule's settings, its schedule's (an empty one, Constant, takes a byte) and its
// DecayScope (4 bytes), padded to 8: with Constant both fit in the one padded word.
static_assert(sizeof(SGD) == 3 * sizeof(double));
static_assert(sizeof(Adam) == 5 * sizeof(double));
static_assert(sizeof(LayerGroup<SGD, Constant, detail::all_layers>) == sizeof(SGD) + 8);
static_assert(sizeof(LayerGroup<SGD, ExponentialDecay, detail::all_layers>) == sizeof(SGD) + 16 + 8);

using SeedNet = Network<Input<1, 28, 28>, Conv2D<8, Kernel<3>, Stride<2>>, LeakyReLU<>, Conv2D<2, Kernel<3>, Stride<2>>,
                        LeakyReLU<>, Flatten, Dense<72>, Sigmoid, Dense<10>, Sigmoid>;

// examples/embed: layers 0-6 frozen (no state at all), Dense<10> (730 parameters) by SGD.
// The group's 32 bytes, padded to the 64-byte line its velocity starts on; the velocity, 730 floats
// = 2,920 bytes in 46 lines (2,944); then the step counter, 8 bytes padded to a whole line:
// 64 + 2,944 + 64 = 3,072.
static_assert(has_bytes<decltype(make_optimizer<SeedNet>(layers<0, 7>(Frozen{}), layers<7, 9>(SGD{}))), 3072>());

// The seed network as examples/mnist_seed.cpp trains it. Conv2D: 80 + 146 = 226 floats of
// velocity (904 bytes, 15 lines: 960) after the SGD group's line: 1,024. Dense: 5,256 + 730 = 5,986 floats
// in each of Adam's two moments (23,944 bytes, 375 lines: 24,000), after Adam's group (48 bytes)
// on one line: 48,064. Step counter: one more line. 1,024 + 48,064 + 64 = 49,152.
static_assert(has_bytes<decltype(make_optimizer<SeedNet>(for_layers<"Conv2D">(SGD{}), for_layers<"Dense">(Adam{}))),
                        49152>());

// One Dense<1> unit in double (2 parameters): Adam's group's line, two moments of one line each, the
// step counter's line: 64 + 2 * 64 + 64 = 256.
static_assert(has_bytes<decltype(make_optimizer<Network<Input<1>, Dense<1>>::with_scalar<double>>(for_all_layers(Adam{}))),
                        256>());

}  // namespace optimizer_bytes_test
