// Layer 4, a Dense layer, is both frozen and trained: a Frozen group covers a layer like any other
// group, so this is still two groups on one layer.
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<1, 12, 12>, Conv2D<4, Kernel<3>>, ReLU, MaxPool<2>, Flatten, Dense<10>>;
auto optimizer = make_optimizer<Net>(layers<4, 5>(Frozen{}), for_all_layers(SGD{}));

// expect: optimizer_coverage_check<4, typenet::Dense<10>, 2(UL)?>
// expect: more than one optimizer group trains this layer
