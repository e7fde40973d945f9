// Dense at layer 2 is given a 2x4x4 tensor: Flatten is missing.
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<1, 6, 6>, Conv2D<2>, ReLU, Dense<10>>;
static_assert(Net::output_shape == Shape<10>{});

// expect: layer_check<typenet::detail::layer_path<typenet::detail::layer_at<2, typenet::Dense<10> ?> ?>, typenet::Shape<2, 4, 4> ?>
// expect: Dense needs a flat input, but it is given a channels x height x width tensor .* add Flatten before it
