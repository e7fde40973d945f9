// A 5x5 kernel at layer 2 on the 1x4x4 output of MaxPool<2>.
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<1, 8, 8>, MaxPool<2>, ReLU, Conv2D<4, Kernel<5>>, Flatten, Dense<10>>;
static_assert(Net::output_shape == Shape<10>{});

// expect: layer_check<typenet::detail::layer_path<typenet::detail::layer_at<2, typenet::Conv2D<4, typenet::Kernel<5(, 5)?> ?> ?> ?>, typenet::Shape<1, 4, 4> ?>
// expect: kernel or pooling window is larger than its \(padded\) input
