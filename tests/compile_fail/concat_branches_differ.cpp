// The Concat at layer 1 has a branch with Stride<2> (4x4x4 output) and one without (4x8x8): their
// heights and widths differ, so they cannot be stacked along channels. Pins that the Concat itself
// is reported (path of depth 1, its type and input shape), not one of its branches.
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<2, 8, 8>, ReLU,
                    Concat<Conv2D<4, Kernel<3>, Pad<1>, Stride<2>>, Conv2D<4, Kernel<3>, Pad<1>>>, Flatten, Dense<10>>;
Net net;

// expect: layer_check<typenet::detail::layer_path<typenet::detail::layer_at<1, typenet::Concat<typenet::Conv2D<4, typenet::Kernel<3(, 3)?>, typenet::Pad<1(, 1)?>, typenet::Stride<2(, 2)?> ?>, typenet::Conv2D<4, typenet::Kernel<3(, 3)?>, typenet::Pad<1(, 1)?> ?> ?> ?> ?>, typenet::Shape<2, 8, 8> ?>
// expect: this Concat's branches give outputs of different ranks or different heights and widths
