// The network has layers 0 to 4; group 1's layers<4, 6> reaches one past its end (a range meant
// for a longer network). The group and its range must be named.
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<1, 12, 12>, Conv2D<4, Kernel<3>>, ReLU, MaxPool<2>, Flatten, Dense<10>>;
auto optimizer = make_optimizer<Net>(layers<0, 4>(Frozen{}), layers<4, 6>(SGD{}));

// expect: optimizer_range_check<1(UL)?, typenet::detail::layer_indices<4(UL)?, 6(UL)?>, 5(UL)?>
// expect: reaches past the network's last layer
