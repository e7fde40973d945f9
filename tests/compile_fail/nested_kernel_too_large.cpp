// Layer 3 is a Residual whose layer 2, Conv2D<16, Kernel<7>>, is given the 16x5x5 output of the
// body's padded convolution and ReLU: the kernel is larger than its input (its Pad<3> is missing).
// Pins that an error inside a block names the whole path, outermost first (the Residual at 3,
// then layer 2 inside it), the inner layer's type and the shape that inner layer is given, in
// the first lines.
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<1, 12, 12>, Conv2D<16, Kernel<3>>, ReLU, MaxPool<2>,
                    Residual<Conv2D<16, Kernel<3>, Pad<1>>, ReLU, Conv2D<16, Kernel<7>>>, Flatten, Dense<10>>;
Net net;

// expect: layer_check<typenet::detail::layer_path<typenet::detail::layer_at<3, typenet::Residual<.*typenet::detail::layer_at<2, typenet::Conv2D<16, typenet::Kernel<7(, 7)?> ?> ?> ?>, typenet::Shape<16, 5, 5> ?>
// expect: kernel or pooling window is larger than its \(padded\) input
