// Compile-cost probe: a 40-layer network, forward and backward (see compile_time.sh).
#include <typenet/typenet.hpp>

using namespace typenet;

// 19 x (Conv2D + ReLU) + Flatten + Dense: 40 layers.
using Deep40 = Network<Input<1, 16, 16>,
    Conv2D<4, Kernel<3>, Pad<same>>, ReLU,
    Conv2D<4, Kernel<3>, Pad<same>>, ReLU,
    Conv2D<4, Kernel<3>, Pad<same>>, ReLU,
    Conv2D<4, Kernel<3>, Pad<same>>, ReLU,
    Conv2D<4, Kernel<3>, Pad<same>>, ReLU,
    Conv2D<4, Kernel<3>, Pad<same>>, ReLU,
    Conv2D<4, Kernel<3>, Pad<same>>, ReLU,
    Conv2D<4, Kernel<3>, Pad<same>>, ReLU,
    Conv2D<4, Kernel<3>, Pad<same>>, ReLU,
    Conv2D<4, Kernel<3>, Pad<same>>, ReLU,
    Conv2D<4, Kernel<3>, Pad<same>>, ReLU,
    Conv2D<4, Kernel<3>, Pad<same>>, ReLU,
    Conv2D<4, Kernel<3>, Pad<same>>, ReLU,
    Conv2D<4, Kernel<3>, Pad<same>>, ReLU,
    Conv2D<4, Kernel<3>, Pad<same>>, ReLU,
    Conv2D<4, Kernel<3>, Pad<same>>, ReLU,
    Conv2D<4, Kernel<3>, Pad<same>>, ReLU,
    Conv2D<4, Kernel<3>, Pad<same>>, ReLU,
    Conv2D<4, Kernel<3>, Pad<same>>, ReLU,
    Flatten, Dense<10>>;
static_assert(Deep40::layer_count == 40);

int main() {
    static Deep40 net;
    initialize(net, Init::he_uniform, 1);
    static Deep40::input_tensor x{};
    static Deep40::output_tensor g{};
    g[3] = 1;
    net.backward(g);
    return net.forward(x)[0] > 1e9f;
}
