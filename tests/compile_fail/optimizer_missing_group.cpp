// The optimizer trains only Conv2D layers, but the network's layer 4 is a Dense layer with parameters.
// (Pins the fix of a bug: the coverage check used to be a static data member that was never
// instantiated, so this file compiled.)
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<1, 12, 12>, Conv2D<4, Kernel<3>>, ReLU, MaxPool<2>, Flatten, Dense<10>>;
auto optimizer = make_optimizer<Net>(for_layers<"Conv2D">(SGD{}));

// expect: optimizer_coverage_check<4, typenet::Dense<10>, 0(UL)?>
// expect: this layer has parameters but no optimizer group trains it
