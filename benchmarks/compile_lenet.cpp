// Compile-cost probe: LeNet-5 forward and backward in one translation unit (see compile_time.sh).
#include <typenet/typenet.hpp>

using namespace typenet;

using LeNet5 = Network<Input<1, 28, 28>,
                       Conv2D<6, Kernel<5>, Pad<2>>, ReLU, MaxPool<2>, Conv2D<16, Kernel<5>>, ReLU, MaxPool<2>,
                       Flatten, Dense<120>, ReLU, Dense<84>, ReLU, Dense<10>>;

int main() {
    static LeNet5 net;
    initialize(net, Init::he_uniform, 1);
    static LeNet5::input_tensor x{};
    static LeNet5::output_tensor g{};
    g[3] = 1;
    net.backward(g);
    return net.forward(x)[0] > 1e9f;
}
