// The Residual at layer 1 has a body, Conv2D<8, Kernel<3>> without padding, that turns its
// 4x8x8 input into 8x6x6, and no Shortcut: input and body output cannot be added. Pins that the
// Residual itself is reported (path of depth 1, its type and input shape), with the message that
// says to keep the shape or add a projection.
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<4, 8, 8>, ReLU, Residual<Conv2D<8, Kernel<3>>>, Flatten, Dense<10>>;
Net net;

// expect: layer_check<typenet::detail::layer_path<typenet::detail::layer_at<1, typenet::Residual<typenet::Conv2D<8, typenet::Kernel<3(, 3)?> ?> ?> ?> ?>, typenet::Shape<4, 8, 8> ?>
// expect: this Residual's body gives an output of another shape than its input
// expect: give the Residual a projection, Residual<Shortcut<\.\.\.>, \.\.\.>
