// A minimal typenet user: declares a network, runs it, prints its summary, writes a PNG in memory.
#include <typenet/typenet.hpp>
#include <typenet/viz/summary.hpp>

#include <stb/stb_image_write.h>

#include <cstddef>
#include <string>

using namespace typenet;

using Tiny = Network<Input<1, 8, 8>, Conv2D<2, Kernel<3>>, ReLU, MaxPool<2>, Flatten, Dense<3>>;
static_assert(Tiny::output_shape == Shape<3>{});
static_assert(Tiny::parameter_count == 2 * 9 + 2 + 18 * 3 + 3);

int main() {
    static Tiny net;
    initialize(net, Init::he_uniform, 1);
    Tiny::input_tensor x{};
    x(0, 4, 4) = 1;
    const auto& y = net.forward(x);
    const std::string table = Tiny::summary();  // links fmt through typenet::typenet
    if (table.find("Conv2D 2 3x3") == std::string::npos || !(y[0] == y[0])) return 1;

    // typenet::viz must bring the compiled stb library along: encode one pixel in memory.
    const unsigned char pixel = 255;
    std::size_t bytes = 0;
    auto count = [](void* context, void*, int size) {
        *static_cast<std::size_t*>(context) += static_cast<std::size_t>(size);
    };
    stbi_write_png_to_func(count, &bytes, 1, 1, 1, &pixel, 1);
    return bytes > 0 ? 0 : 1;
}
