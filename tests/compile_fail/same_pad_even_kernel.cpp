// Pad<same> with a 4x4 kernel at layer 2: "same" padding would be asymmetric.
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<1, 6, 6>, Conv2D<2, Kernel<3>>, ReLU, Conv2D<4, Pad<same>, Kernel<4>>, Flatten, Dense<10>>;
Net net;

// The Pad<same> argument prints as the value of typenet::same (SIZE_MAX).
// expect: layer_check<typenet::detail::layer_path<typenet::detail::layer_at<2, typenet::Conv2D<4, typenet::Pad<18446744073709551615(, 18446744073709551615)?>, typenet::Kernel<4(, 4)?> ?> ?> ?>, typenet::Shape<2, 4, 4> ?>
// expect: Pad<same> needs an odd kernel size
