// Compile-cost probe: a residual network of 65 layers counting those inside blocks, with
// Sequential and Concat nested in Residual bodies and a projection Shortcut; a Batch<8> training
// pass (forward and backward), an optimizer step and Inference's predict (see compile_time.sh).
#include <typenet/typenet.hpp>

using namespace typenet;

using Conv8 = Conv2D<8, Kernel<3>, Pad<same>>;
using Conv16 = Conv2D<16, Kernel<3>, Pad<same>>;

// 5 layers: the Residual and its body of 4.
using Block = Residual<Conv8, ReLU, Conv8, ReLU>;
using Block16 = Residual<Conv16, ReLU, Conv16, ReLU>;
// 6 layers: the Residual, a Sequential of 2 and 2 more.
using SequentialBlock = Residual<Sequential<Conv8, ReLU>, Conv8, ReLU>;
// 8 layers: the Residual, a Concat of a Sequential of 2 and a Conv2D (4 + 4 channels), and 2 more.
using ConcatBlock = Residual<Concat<Sequential<Conv2D<4, Kernel<3>, Pad<same>>, ReLU>, Conv2D<4, Kernel<3>, Pad<same>>>,
                             ReLU, Conv8>;
// 6 layers: 8x8x8 -> 16x4x4, the input through a 1x1 projection with the same stride.
using DownBlock = Residual<Shortcut<Conv2D<16, Kernel<1>, Stride<2>>>, Conv2D<16, Kernel<3>, Pad<same>, Stride<2>>, ReLU, Conv16>;

// 2 + 10 + 6 + 8 + 1 + 10 + 6 + 8 + 6 + 5 + 3 = 65 layers, 10 of them Residual blocks.
using Residual60 = Network<Input<1, 16, 16>,
    Conv8, ReLU,
    Block, Block, SequentialBlock, ConcatBlock,
    MaxPool<2>,
    Block, Block, SequentialBlock, ConcatBlock,
    DownBlock, Block16,
    AvgPool<2>, Flatten, Dense<10>>;
static_assert(Residual60::layer_count == 16);
static_assert(Residual60::output_shape == Shape<10>{});

int main() {
    static Residual60 net;
    initialize(net, Init::he_uniform, 1);

    static Residual60::Batch<8> batch;
    batch.inputs[5] = 1;
    net.forward(batch, Mode::training);
    batch.output_gradients[3] = 1;
    net.backward(batch);

    static auto optimizer = make_optimizer<Residual60>(for_all_layers(SGD{}));
    optimizer.step(net);

    static Inference<Residual60> deployed(net);
    static Residual60::input_tensor x{};
    return deployed.predict(x)[0] > 1e9f;
}
