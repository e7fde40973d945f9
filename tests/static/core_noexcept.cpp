// The core (layers, network, inference, init, losses, optimizers) builds with -fno-exceptions -fno-rtti.
#if defined(__cpp_exceptions) || defined(__GXX_RTTI)
#error "core_noexcept.cpp must be compiled with -fno-exceptions -fno-rtti"
#endif

#include <cstddef>

#include <typenet/typenet.hpp>

namespace core_noexcept {

using namespace typenet;

using LeNet = Network<Input<1, 28, 28>, Conv2D<6, Kernel<5>, Pad<2>>, ReLU, MaxPool<2>, Conv2D<16, Kernel<5>>, ReLU,
                      MaxPool<2>, Flatten, Dense<120>, ReLU, Dense<84>, ReLU, Dense<10>>;

using Optim = decltype(make_optimizer<LeNet>(for_layers<"Conv2D">(SGD{.learning_rate = 0.01}),
                                             for_layers<"Dense">(Adam{.learning_rate = 0.01})));

/// Never called: it only has to compile (and so instantiate every forward and backward).
float train_one(LeNet& net, Optim& optimizer, Inference<LeNet>& inference, const LeNet::input_tensor& x,
                std::size_t label) {
    initialize(net, Init::he_uniform, 42);
    LeNet::output_tensor gradient;
    net.zero_gradients();
    const float loss = SoftmaxCrossEntropy::compute(net.forward(x), label, gradient);
    net.backward(gradient);
    optimizer.step(net);
    inference.parameters() = net.parameters();
    const float mse = MeanSquaredError::compute(net.output(), label, gradient);
    return loss + mse + inference.predict(x)[0];
}

}  // namespace core_noexcept
