// MaxPool<8> at layer 4 is given the 2x6x6 output of the seed network's second convolution.
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<1, 28, 28>, Conv2D<8, Kernel<3>, Stride<2>>, LeakyReLU<>, Conv2D<2, Kernel<3>, Stride<2>>,
                    LeakyReLU<>, MaxPool<8>, Flatten, Dense<10>>;
static_assert(Net::output_shape == Shape<10>{});

// expect: layer_check<typenet::detail::layer_path<typenet::detail::layer_at<4, typenet::MaxPool<8(, 8)?> ?> ?>, typenet::Shape<2, 6, 6> ?>
// expect: pooling window is larger than its \(padded\) input
