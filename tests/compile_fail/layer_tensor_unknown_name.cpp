// Asking layer 0 (Conv2D, tensors "weight" and "bias") for a tensor called "weights".
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<1, 8, 8>, Conv2D<2>, Flatten, Dense<4>>;

int main() {
    static Net net;
    return int(net.layer_tensor<0, "weights">()[0]);
}

// expect: no_parameter_tensor_has_this_name
