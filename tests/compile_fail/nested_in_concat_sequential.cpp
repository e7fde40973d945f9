// Layer 1 is a Concat whose branch 1 is a Sequential whose layer 1, Dense<8>, is given the 4x6x6
// output of ReLU: that branch lacks the Flatten the other branch has. Pins a path of depth 3
// (the Concat at 1, the Sequential at 1 inside it, the Dense at 1 inside that), the inner layer's
// type and its input shape, in the first lines.
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<1, 8, 8>, Conv2D<4, Kernel<3>>,
                    Concat<Sequential<Flatten, Dense<8>>, Sequential<ReLU, Dense<8>>>, ReLU, Dense<10>>;
Net net;

// expect: layer_check<typenet::detail::layer_path<typenet::detail::layer_at<1, typenet::Concat<.*typenet::detail::layer_at<1, typenet::Sequential<typenet::ReLU, typenet::Dense<8> ?> ?>, typenet::detail::layer_at<1, typenet::Dense<8> ?> ?>, typenet::Shape<4, 6, 6> ?>
// expect: Dense needs a flat input, but it is given a channels x height x width tensor .* add Flatten before it
