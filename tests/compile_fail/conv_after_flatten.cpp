// Conv2D at layer 3 is given the flat output of Flatten.
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<1, 28, 28>, Conv2D<6, Kernel<5>>, MaxPool<2>, Flatten, Conv2D<16, Kernel<5>>, Dense<10>>;
Net net;

// expect: layer_check<typenet::detail::layer_path<typenet::detail::layer_at<3, typenet::Conv2D<16, typenet::Kernel<5(, 5)?> ?> ?> ?>, typenet::Shape<864> ?>
// expect: this layer needs a channels x height x width input, but the layer before it produces a flat vector
