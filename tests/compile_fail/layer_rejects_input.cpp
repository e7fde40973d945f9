// The user layer Scale<3> at index 1 is given 4 channels and rejects them with Problem::unsupported_input.
#include <typenet/typenet.hpp>

#include "../../examples/user_layer/scale.hpp"

using namespace typenet;
using Net = Network<Input<1, 8, 8>, Conv2D<4>, Scale<3>, Flatten, Dense<4>>;
Net net;

// expect: layer_check<typenet::detail::layer_path<typenet::detail::layer_at<1, Scale<3(UL)?> ?> ?>, typenet::Shape<4, 6, 6> ?>
// expect: the layer does not accept its input shape
