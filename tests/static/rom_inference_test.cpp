// RomInference, flash_bytes and ram_bytes, and network_signature, checked while compiling.
#include <array>
#include <cstddef>
#include <string_view>

#include <typenet/typenet.hpp>

namespace rom_inference_test {

using namespace typenet;

// --- byte counts, hand-computed -------------------------------------------------------------
// Conv2D 2 filters 3x3 on 1x5x5: 20 parameters, output 2x3x3 = 18 values (72 B -> 128), scratch
// the input shifted by each of 3 kernel columns, 3 x 5 rows x 3 = 45 values (180 B -> 192).
// Dense 18 -> 3: 57 parameters, output 3 values.
using Small = Network<Input<1, 5, 5>, Conv2D<2, Kernel<3>>, ReLU, Flatten, Dense<3>, Sigmoid>;
static_assert(Small::parameter_count == 20 + 57);
static_assert(Small::flash_bytes == 77 * 4);                   // unpadded, as an exported array
static_assert(Small::ram_bytes == 2 * 128 + 192);              // two buffers and the scratch
static_assert(Small::inference_bytes == 320 + 2 * 128 + 192);  // + its own parameters (308 B -> 320)

// No layer with scratch: the ROM inference is just the two buffers.
using Flat = Network<Input<20>, Dense<10>, ReLU, Dense<5>>;
static_assert(Flat::flash_bytes == (200 + 10 + 50 + 5) * 4);
static_assert(Flat::ram_bytes == 2 * 64);
static_assert(BasicNetwork<double, Input<20>, Dense<10>, ReLU, Dense<5>>::ram_bytes == 2 * 128);
static_assert(BasicNetwork<double, Input<20>, Dense<10>, ReLU, Dense<5>>::flash_bytes == 265 * 8);

// The seed network: largest output 8x13x13 = 1352 values (5408 B -> 5440); the second
// convolution's scratch, 8 x 9 taps x 36 positions = 2592 values (10368 B), is larger than the
// first's (9 taps x 169 positions = 1521 values).
using SeedNet = Network<Input<1, 28, 28>, Conv2D<8, Kernel<3>, Stride<2>>, LeakyReLU<>, Conv2D<2, Kernel<3>, Stride<2>>,
                        LeakyReLU<>, Flatten, Dense<72>, Sigmoid, Dense<10>, Sigmoid>;
static_assert(SeedNet::flash_bytes == 6212 * 4);
static_assert(SeedNet::ram_bytes == 2 * 5440 + 10368);
static_assert(SeedNet::inference_bytes == 24896 + SeedNet::ram_bytes);

// --- signatures -------------------------------------------------------------------------------
static_assert(network_signature<Small>.view() ==
              "4-byte float (24 digits); input 1x5x5; Conv2D filters=2 kernel_h=3 kernel_w=3 stride_h=1 stride_w=1 "
              "pad_h=0 pad_w=0 -> 2x3x3; ReLU -> 2x3x3; Flatten -> 18; Dense units=3 -> 3; Sigmoid -> 3");
static_assert(network_signature<BasicNetwork<double, Input<4>, LeakyReLU<std::ratio<2, 20>>>>.view() ==
              "8-byte float (53 digits); input 4; LeakyReLU alpha_num=1 alpha_den=10 -> 4");
// Options in any order and `same` resolved: the same network, so the same signature.
static_assert(network_signature<Network<Input<3, 8, 8>, Conv2D<4, Pad<same>, Kernel<3>>>>.view() ==
              network_signature<Network<Input<3, 8, 8>, Conv2D<4, Kernel<3>, Pad<1>>>>.view());
// Every setting counts, the input and the scalar too.
static_assert(network_signature<Network<Input<3, 8, 8>, Conv2D<4, Kernel<3>, Pad<1>>>>.view() !=
              network_signature<Network<Input<3, 8, 8>, Conv2D<4, Kernel<3>, Pad<1>, Stride<2>>>>.view());
static_assert(network_signature<Network<Input<20>, LeakyReLU<>>>.view() !=
              network_signature<Network<Input<20>, LeakyReLU<std::ratio<1, 100>>>>.view());
static_assert(network_signature<Network<Input<2, 4, 4>, MaxPool<2>>>.view() !=
              network_signature<Network<Input<2, 4, 4>, AvgPool<2>>>.view());
static_assert(network_signature<Network<Input<2, 4, 4>, Flatten>>.view() !=
              network_signature<Network<Input<4, 2, 4>, Flatten>>.view());
static_assert(network_signature<Flat>.view() != network_signature<Flat::with_scalar<double>>.view());

// --- constexpr exp for the stand-ins of Sigmoid, Tanh and Softmax ------------------------------
constexpr double distance(double a, double b) { return a > b ? a - b : b - a; }
static_assert(detail::constant_exp(0.0) == 1.0);
static_assert(distance(detail::constant_exp(1.0), 2.718281828459045) < 5e-16);
static_assert(distance(detail::constant_exp(-20.5), 1.2501528663867426e-09) < 1e-24);
static_assert(distance(detail::constant_exp(88.0), 1.6516362549940018e+38) < 1e23);
static_assert(detail::constant_sigmoid::value(0.0f) == 0.5f);
static_assert(detail::constant_tanh::value(0.0f) == 0.0f);
static_assert(distance(detail::constant_tanh::value(0.5), 0.46211715726000974) < 1e-16);
static_assert(distance(detail::constant_tanh::value(1e-9), 1e-9) < 1e-24);

// --- a forward pass from borrowed parameters, evaluated by the compiler ------------------------
// shapes_test's Tiny network: every value a multiple of 1/16, so float arithmetic is exact.
using Tiny = Network<Input<1, 4, 4>, Conv2D<2, Kernel<3>, Pad<1>>, ReLU, MaxPool<2>, Flatten, Dense<3>>;

struct TinyExported {
    static constexpr std::string_view signature = network_signature<Tiny>.view();
    static constexpr std::array<float, Tiny::parameter_count> parameters{
        0.25f,  0.f,    -0.25f, 0.5f,   0.25f,  0.f,   0.f,    -0.5f, 0.25f,  //
        -0.25f, 0.25f,  0.5f,   0.f,    0.75f,  -0.5f, 0.25f,  -0.25f, 0.f,   //
        0.25f,  -1.75f,                                                      //
        0.25f,  -0.25f, 0.5f,   0.f,    0.25f,  -0.5f, 0.f,    0.25f,         //
        0.f,    0.5f,   -0.25f, 0.25f,  -0.25f, 0.f,   0.75f,  -0.5f,         //
        -0.5f,  0.f,    0.25f,  0.25f,  0.5f,   0.25f, -0.25f, 0.f,           //
        0.5f,   -0.25f, 0.f};
};

constexpr Tiny::input_tensor tiny_input() {
    constexpr float x[] = {0.5f, -1.f, 1.5f, 0.f, 1.f, 2.f, -0.5f, -1.5f, 0.f, 0.5f, 1.f, 2.5f, -2.f, 1.5f, 0.5f, 1.f};
    Tiny::input_tensor t;
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = x[i];
    return t;
}

constexpr std::array<float, 3> rom_output() {
    RomInference<Tiny, TinyExported> inference;
    const auto y = inference.predict(tiny_input());
    return {y[0], y[1], y[2]};
}
constexpr std::array<float, 3> copied_output() {
    Tiny net;
    for (std::size_t i = 0; i < Tiny::parameter_count; ++i) net.parameters()[i] = TinyExported::parameters[i];
    Inference<Tiny> inference(net);
    const auto y = inference.predict(tiny_input());
    return {y[0], y[1], y[2]};
}

static_assert(rom_output() == std::array{0.9375f, 0.6875f, 0.3125f});  // as shapes_test computes
static_assert(rom_output() == copied_output());
static_assert(&parameters_for<Tiny, TinyExported>() == &TinyExported::parameters);
static_assert(sizeof(RomInference<Tiny, TinyExported>) == Tiny::ram_bytes);
static_assert(sizeof(Inference<Tiny>) == Tiny::inference_bytes);

// Sigmoid at the end runs through its constexpr stand-in.
using TinySigmoid = Network<Input<1, 4, 4>, Conv2D<2, Kernel<3>, Pad<1>>, ReLU, MaxPool<2>, Flatten, Dense<3>, Sigmoid>;
struct TinySigmoidExported {
    static constexpr std::string_view signature = network_signature<TinySigmoid>.view();
    static constexpr auto parameters = TinyExported::parameters;
};
constexpr std::size_t tiny_sigmoid_class() {
    RomInference<TinySigmoid, TinySigmoidExported> inference;
    return predicted_class(inference.predict(tiny_input()));
}
static_assert(tiny_sigmoid_class() == 0);  // sigmoid keeps the order of 0.9375, 0.6875, 0.3125
static_assert(sizeof(RomInference<TinySigmoid, TinySigmoidExported>) == TinySigmoid::ram_bytes);

// Parameters for another network are refused (tests/compile_fail/export_wrong_network.cpp), and
// the error names the first part of the signatures that differs.
static_assert(detail::first_differing_part("a; b; c", "a; b; c") == std::string_view::npos);
static_assert(detail::first_differing_part("a; b; c", "x; b; c") == 0);
static_assert(detail::first_differing_part("a; b; c", "a; b; x") == 2);
static_assert(detail::first_differing_part("a; b", "a; b; c") == 2);
static_assert(detail::first_differing_part("a; b; c", "a; b") == 2);
static_assert(detail::first_difference<TinyExported, Tiny> == std::string_view::npos);
static_assert(detail::first_difference<TinyExported, TinySigmoid> == 2 + 5);  // TinySigmoid's layer 5
static_assert(detail::first_difference<TinyExported, Tiny::with_scalar<double>> == 0);
static_assert(detail::first_difference<TinyExported, Network<Input<1, 4, 5>, Conv2D<2, Kernel<3>, Pad<1>>, ReLU, MaxPool<2>,
                                                             Flatten, Dense<3>>> == 1);
static_assert(detail::first_difference<TinyExported, Network<Input<1, 4, 4>, Conv2D<2, Kernel<3>, Pad<1>>, Tanh, MaxPool<2>,
                                                             Flatten, Dense<3>>> == 2 + 1);
static_assert(detail::first_difference<TinySigmoidExported, Tiny> == 2 + 5);  // the export has more layers
static_assert(ExportedParameters<TinyExported>);
static_assert(!ExportedParameters<Tiny>);

}  // namespace rom_inference_test
