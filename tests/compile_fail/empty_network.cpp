// A network with an input and no layers.
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<1, 28, 28>>;
Net net;

// expect: BasicNetwork<float, typenet::Input<1, 28, 28> ?>
// expect: a Network needs at least one layer after its Input
