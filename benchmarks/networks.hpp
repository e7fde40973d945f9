// The networks the benchmarks measure, and a random data source shaped like MNIST.
#pragma once

#include <cstddef>
#include <ratio>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include <typenet/typenet.hpp>

namespace bench {

using namespace typenet;

using SeedNet = Network<Input<1, 28, 28>,
                        Conv2D<8, Kernel<3>, Stride<2>>, LeakyReLU<>, Conv2D<2, Kernel<3>, Stride<2>>, LeakyReLU<>,
                        Flatten, Dense<72>, Sigmoid, Dense<10>, Sigmoid>;

using LeNet5 = Network<Input<1, 28, 28>,
                       Conv2D<6, Kernel<5>, Pad<2>>, ReLU, MaxPool<2>, Conv2D<16, Kernel<5>>, ReLU, MaxPool<2>,
                       Flatten, Dense<120>, ReLU, Dense<84>, ReLU, Dense<10>>;

// examples/mnist_resnet.cpp's network, copied: an example is a program, not a header to include.
using ResBlock = Residual<Conv2D<32, Kernel<3>, Pad<same>>, BatchNorm, ReLU, Conv2D<32, Kernel<3>, Pad<same>>, BatchNorm>;
using ResDownsample = Residual<Shortcut<Conv2D<64, Kernel<1>, Stride<2>>, BatchNorm>,
                               Conv2D<64, Kernel<3>, Stride<2>, Pad<same>>, BatchNorm, ReLU,
                               Conv2D<64, Kernel<3>, Pad<same>>, BatchNorm>;
using ResMixer = Concat<Sequential<Conv2D<64, Kernel<1>>, BatchNorm, ReLU>,
                        Sequential<DepthwiseConv2D<Kernel<3>, Pad<same>>, BatchNorm, ReLU>>;
using ResNet = Network<Input<1, 28, 28>,
                       Conv2D<32, Kernel<3>, Pad<same>>, BatchNorm, ReLU, MaxPool<2>,
                       ResBlock, ReLU, ResDownsample, ReLU, ResMixer,
                       GlobalAvgPool, Dropout<std::ratio<1, 4>>, Dense<10>>;
static_assert(ResNet::parameter_count == 84106, "the README's residual network (running statistics included)");

/// Whether layer I of Net is a convolution (top level only: layers inside blocks are not looked at).
template <class Net, std::size_t I>
inline constexpr bool is_convolution =
    Net::template layer_kind<I> == std::string_view("Conv2D") || Net::template layer_kind<I> == std::string_view("DepthwiseConv2D");

/// FLOPs per image of Net's top-level convolutions: every weight meets one input value at every
/// output position, one multiply and one add, so 2 x weights x OH x OW (= 2 F C kh kw OH OW).
/// Read from the bound layers' weight tensors, so it follows the declared types.
template <class Net>
inline constexpr double convolution_flops = []<std::size_t... I>(std::index_sequence<I...>) {
    const auto layer_flops = []<std::size_t L>(std::integral_constant<std::size_t, L>) {
        if constexpr (is_convolution<Net, L>) {
            constexpr auto out = Net::template shape_at<L>.dims;
            for (const ParameterInfo& tensor : Net::template layer_tensors<L>)
                if (tensor.name == "weight") return 2.0 * double(tensor.size) * double(out[1] * out[2]);
        }
        return 0.0;
    };
    return (0.0 + ... + layer_flops(std::integral_constant<std::size_t, I>{}));
}(std::make_index_sequence<Net::layer_count>{});

static_assert(convolution_flops<LeNet5> == 2.0 * (6 * 1 * 25 * 28 * 28 + 16 * 6 * 25 * 10 * 10));

template <class S>
struct input_for;
template <std::size_t... Dims>
struct input_for<Shape<Dims...>> {
    using type = Input<Dims...>;
};

/// Layer I of Net as a network of its own on the same input shape: to time one layer through the
/// same passes as the whole network, since a pass cannot be stopped between layers.
template <class Net, std::size_t I>
using layer_alone = Network<typename input_for<typename Net::template layer_impl<I>::input_shape>::type,
                            typename Net::template layer_type<I>>;

/// Uniform random 28x28 images with random labels: the speed of a step does not depend on the data.
struct RandomImages {
    std::vector<float> pixels;
    std::vector<std::size_t> labels;

    explicit RandomImages(std::size_t count, std::uint64_t seed = 1) : pixels(count * 784), labels(count) {
        Random random(seed);
        for (auto& p : pixels) p = float(random.uniform());
        for (auto& l : labels) l = random.below(10);
    }
    std::size_t size() const { return labels.size(); }
    std::span<const float> image(std::size_t i) const { return {pixels.data() + i * 784, 784}; }
    std::size_t label(std::size_t i) const { return labels[i]; }
};

}  // namespace bench
