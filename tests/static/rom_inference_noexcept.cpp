// A program built like firmware (-fno-exceptions -fno-rtti) classifies with parameters compiled in from an exported header.
#if defined(__cpp_exceptions) || defined(__GXX_RTTI)
#error "rom_inference_noexcept.cpp must be compiled with -fno-exceptions -fno-rtti"
#endif

#include <cstddef>

#include <typenet/layers/activations.hpp>
#include <typenet/layers/conv2d.hpp>
#include <typenet/layers/dense.hpp>
#include <typenet/layers/flatten.hpp>
#include <typenet/rom_inference.hpp>

#include "../fixtures/seed_mnist_network.hpp"

namespace rom_inference_noexcept {

using namespace typenet;

using SeedNet = Network<Input<1, 28, 28>, Conv2D<8, Kernel<3>, Stride<2>>, LeakyReLU<>, Conv2D<2, Kernel<3>, Stride<2>>,
                        LeakyReLU<>, Flatten, Dense<72>, Sigmoid, Dense<10>, Sigmoid>;

/// Never called: it only has to compile, so the run-time path (std::exp) is instantiated.
/// `inference` would be a static object in RAM (.bss), the parameters stay in flash (.rodata).
std::size_t classify(RomInference<SeedNet, seed_mnist>& inference, const SeedNet::input_tensor& image) {
    return predicted_class(inference.predict(image));
}

}  // namespace rom_inference_noexcept
