// The optimizer trains only Dense layers, but the Residual at layer 1 holds a Conv2D with
// parameters. Pins that the coverage check names a layer inside a block by the network layer
// holding it (the Residual, index 1) and the inner layer's kind, spelt out as characters.
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<4, 6, 6>, ReLU, Residual<Conv2D<4, Kernel<3>, Pad<1>>, ReLU>, Flatten, Dense<10>>;
auto optimizer = make_optimizer<Net>(for_layers<"Dense">(SGD{}));

// expect: optimizer_coverage_check<1(UL)?, typenet::detail::layer_inside<typenet::Residual<typenet::Conv2D<4, typenet::Kernel<3(, 3)?>, typenet::Pad<1(, 1)?> ?>, typenet::ReLU ?>, typenet::detail::kind<'C', 'o', 'n', 'v', '2', 'D'> ?>, 0(UL)?>
// expect: this layer has parameters but no optimizer group trains it
