// A misspelt kind: "Conv2d" matches no layer, so group 0 would train nothing (and the convolution
// would go untrained). The group, with its kind, must be named first.
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<1, 12, 12>, Conv2D<4, Kernel<3>>, ReLU, MaxPool<2>, Flatten, Dense<10>>;
auto optimizer = make_optimizer<Net>(for_layers<"Conv2d">(SGD{}), for_layers<"Dense">(Adam{}));

// expect: optimizer_group_check<0, typenet::detail::kinds<typenet::detail::kind<'C', 'o', 'n', 'v', '2', 'd'> ?>, 0(UL)?>
// expect: this optimizer group trains no layer
