// MaxPool at layer 2 is given the flat output of Flatten.
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<1, 6, 6>, Conv2D<2>, Flatten, MaxPool<2>>;
Net net;

// expect: layer_check<typenet::detail::layer_path<typenet::detail::layer_at<2, typenet::MaxPool<2(, 2)?> ?> ?>, typenet::Shape<32> ?>
// expect: this layer needs a channels x height x width input, but the layer before it produces a flat vector
