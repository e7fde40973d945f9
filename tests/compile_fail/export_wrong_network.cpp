// Parameters exported from the seed network, used with a network that differs only in its last
// activation (Tanh for Sigmoid): the parameter count matches, the signature does not.
#include <typenet/typenet.hpp>

#include "../fixtures/seed_mnist_network.hpp"

using namespace typenet;
using TanhNet = Network<Input<1, 28, 28>, Conv2D<8, Kernel<3>, Stride<2>>, LeakyReLU<>, Conv2D<2, Kernel<3>, Stride<2>>,
                        LeakyReLU<>, Flatten, Dense<72>, Sigmoid, Dense<10>, Tanh>;
RomInference<TanhNet, seed_mnist> inference;

// The first difference is named: layer 8, Tanh, with the exported parameters (seed_mnist) and Net.
// expect: exported_layer_(check|fits)<8(UL)?, typenet::Tanh, seed_mnist, typenet::BasicNetwork<float, typenet::Input<1, 28, 28>
// expect: this layer of Net differs from the network the parameters in Exported were exported from
