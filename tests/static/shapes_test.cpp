// Shapes, parameter counts, sizes and a constexpr forward pass, checked while compiling.
#include <cstddef>
#include <type_traits>

#include <typenet/typenet.hpp>

namespace shapes_test {

using namespace typenet;

// --- the seed network ---------------------------------------------------------------------
using SeedNet = Network<Input<1, 28, 28>, Conv2D<8, Kernel<3>, Stride<2>>, LeakyReLU<>, Conv2D<2, Kernel<3>, Stride<2>>,
                        LeakyReLU<>, Flatten, Dense<72>, Sigmoid, Dense<10>, Sigmoid>;

static_assert(SeedNet::valid);
static_assert(SeedNet::layer_count == 9);
static_assert(SeedNet::input_shape == Shape<1, 28, 28>{});
static_assert(SeedNet::shape_at<0> == Shape<8, 13, 13>{});  // floor rule: (28 - 3) / 2 + 1 = 13
static_assert(SeedNet::shape_at<1> == Shape<8, 13, 13>{});
static_assert(SeedNet::shape_at<2> == Shape<2, 6, 6>{});  // (13 - 3) / 2 + 1 = 6
static_assert(SeedNet::shape_at<3> == Shape<2, 6, 6>{});
static_assert(SeedNet::shape_at<4> == Shape<72>{});
static_assert(SeedNet::shape_at<5> == Shape<72>{});
static_assert(SeedNet::shape_at<6> == Shape<72>{});
static_assert(SeedNet::shape_at<7> == Shape<10>{});
static_assert(SeedNet::shape_at<8> == Shape<10>{});
static_assert(SeedNet::output_shape == Shape<10>{});
static_assert(!(SeedNet::output_shape == Shape<1, 10>{}));  // rank matters, not only the size
static_assert(std::is_same_v<SeedNet::shape_type<2>, Shape<2, 6, 6>>);
static_assert(std::is_same_v<SeedNet::output_shape_type, Shape<10>>);

static_assert(SeedNet::layer_parameter_count<0> == 8 * 9 + 8);
static_assert(SeedNet::layer_parameter_count<1> == 0);
static_assert(SeedNet::layer_parameter_count<2> == 2 * 8 * 9 + 2);
static_assert(SeedNet::layer_parameter_count<4> == 0);
static_assert(SeedNet::layer_parameter_count<5> == 72 * 72 + 72);
static_assert(SeedNet::layer_parameter_count<7> == 72 * 10 + 10);
static_assert(SeedNet::parameter_count == 8 * 9 + 8 + 2 * 72 + 2 + 72 * 72 + 72 + 72 * 10 + 10);
static_assert(SeedNet::parameter_count == 6212);
static_assert(SeedNet::parameter_offsets[0] == 0);
static_assert(SeedNet::parameter_offsets[2] == 80);
static_assert(SeedNet::parameter_offsets[5] == 80 + 146);
static_assert(SeedNet::parameter_offsets[7] == 80 + 146 + 5256);
static_assert(SeedNet::parameter_offsets[9] == SeedNet::parameter_count);

static_assert(SeedNet::layer_kind<0> == "Conv2D");
static_assert(SeedNet::layer_kind<1> == "LeakyReLU");
static_assert(SeedNet::layer_kind<4> == "Flatten");
static_assert(SeedNet::layer_kind<5> == "Dense");
static_assert(SeedNet::layer_kind<8> == "Sigmoid");
static_assert(std::is_same_v<SeedNet::layer_type<2>, Conv2D<2, Kernel<3>, Stride<2>>>);

// Parameters, gradients, and every activation and its gradient, by value (plus layers' scratch).
constexpr std::size_t seed_activation_values = 784 + 2 * 1352 + 2 * 72 + 3 * 72 + 2 * 10;  // input + 9 outputs
static_assert(SeedNet::training_bytes == sizeof(SeedNet));
static_assert(SeedNet::training_bytes >= 4 * 2 * SeedNet::parameter_count);
static_assert(SeedNet::training_bytes >= 4 * (2 * SeedNet::parameter_count + 2 * seed_activation_values));
static_assert(SeedNet::largest_output_size == 8 * 13 * 13);
static_assert(sizeof(Inference<SeedNet>) == SeedNet::inference_bytes);
static_assert(SeedNet::inference_bytes >= 4 * (SeedNet::parameter_count + 2 * 8 * 13 * 13));
static_assert(SeedNet::inference_bytes < SeedNet::training_bytes);
static_assert(SeedNet::with_scalar<double>::training_bytes >= 8 * 2 * SeedNet::parameter_count);
static_assert(SeedNet::with_scalar<double>::training_bytes == sizeof(SeedNet::with_scalar<double>));
static_assert(std::is_same_v<SeedNet::with_scalar<double>::scalar_type, double>);
static_assert(SeedNet::with_scalar<double>::parameter_count == SeedNet::parameter_count);

// --- LeNet-5 ------------------------------------------------------------------------------
using LeNet = Network<Input<1, 28, 28>, Conv2D<6, Kernel<5>, Pad<2>>, ReLU, MaxPool<2>, Conv2D<16, Kernel<5>>, ReLU,
                      MaxPool<2>, Flatten, Dense<120>, ReLU, Dense<84>, ReLU, Dense<10>>;

static_assert(LeNet::layer_count == 12);
static_assert(LeNet::shape_at<0> == Shape<6, 28, 28>{});
static_assert(LeNet::shape_at<1> == Shape<6, 28, 28>{});
static_assert(LeNet::shape_at<2> == Shape<6, 14, 14>{});
static_assert(LeNet::shape_at<3> == Shape<16, 10, 10>{});
static_assert(LeNet::shape_at<4> == Shape<16, 10, 10>{});
static_assert(LeNet::shape_at<5> == Shape<16, 5, 5>{});
static_assert(LeNet::shape_at<6> == Shape<400>{});
static_assert(LeNet::shape_at<7> == Shape<120>{});
static_assert(LeNet::shape_at<8> == Shape<120>{});
static_assert(LeNet::shape_at<9> == Shape<84>{});
static_assert(LeNet::shape_at<10> == Shape<84>{});
static_assert(LeNet::shape_at<11> == Shape<10>{});
static_assert(LeNet::output_shape == Shape<10>{});
static_assert(LeNet::layer_parameter_count<0> == 6 * 25 + 6);
static_assert(LeNet::layer_parameter_count<3> == 16 * 6 * 25 + 16);
static_assert(LeNet::layer_parameter_count<7> == 400 * 120 + 120);
static_assert(LeNet::parameter_count == 61706);
static_assert(LeNet::training_bytes == sizeof(LeNet));
static_assert(LeNet::training_bytes >= 4 * 2 * LeNet::parameter_count);
static_assert(sizeof(Inference<LeNet>) == LeNet::inference_bytes);
static_assert(LeNet::inference_bytes < LeNet::training_bytes);
static_assert(LeNet::largest_output_size == 6 * 28 * 28);

// --- padding, non-square windows, the floor rule ----------------------------------------
using Windows = Network<Input<2, 17, 30>,
                        Conv2D<4, Kernel<5>, Pad<same>>,                  // 0: same keeps 17x30
                        Conv2D<3, Kernel<3, 5>, Stride<1, 2>, Pad<0, 1>>,  // 1: 15 x (30 + 2 - 5) / 2 + 1 = 14
                        Conv2D<3, Kernel<3>, Stride<2>>,                  // 2: (15 - 3) / 2 + 1 = 7, 6
                        MaxPool<2>,                                       // 3: floor(7 / 2) = 3, 3
                        Conv2D<2, Kernel<1, 3>, Pad<same>>,               // 4: same with a 1x3 kernel
                        AvgPool<3, 2>,                                    // 5: (3 - 3) / 2 + 1 = 1
                        Flatten, Dense<5>>;
static_assert(Windows::shape_at<0> == Shape<4, 17, 30>{});
static_assert(Windows::shape_at<1> == Shape<3, 15, 14>{});
static_assert(Windows::shape_at<2> == Shape<3, 7, 6>{});
static_assert(Windows::shape_at<3> == Shape<3, 3, 3>{});
static_assert(Windows::shape_at<4> == Shape<2, 3, 3>{});
static_assert(Windows::shape_at<5> == Shape<2, 1, 1>{});
static_assert(Windows::shape_at<6> == Shape<2>{});
static_assert(Windows::output_shape == Shape<5>{});
static_assert(Windows::layer_parameter_count<0> == 4 * 2 * 5 * 5 + 4);
static_assert(Windows::layer_parameter_count<1> == 3 * 4 * 3 * 5 + 3);
static_assert(Windows::layer_parameter_count<4> == 2 * 3 * 1 * 3 + 2);
static_assert(Windows::parameter_count == 204 + 183 + 84 + 20 + 15);
static_assert(Conv2D<4, Kernel<5>, Pad<same>>::pad_h == 2 && Conv2D<4, Kernel<5>, Pad<same>>::pad_w == 2);
static_assert(Conv2D<2, Kernel<1, 3>, Pad<same>>::pad_h == 0 && Conv2D<2, Kernel<1, 3>, Pad<same>>::pad_w == 1);
static_assert(Windows::layer_impl<1>::fan_in == 4 * 3 * 5);

// --- options in any order -------------------------------------------------------------------
using PadFirst = Conv2D<4, Pad<1>, Stride<2>, Kernel<5>>;
using KernelFirst = Conv2D<4, Kernel<5>, Stride<2>, Pad<1>>;
static_assert(PadFirst::kernel_h == 5 && PadFirst::kernel_w == 5);
static_assert(PadFirst::stride_h == 2 && PadFirst::stride_w == 2);
static_assert(PadFirst::pad_h == 1 && PadFirst::pad_w == 1);
using PadFirstNet = Network<Input<3, 12, 12>, PadFirst>;
using KernelFirstNet = Network<Input<3, 12, 12>, KernelFirst>;
static_assert(PadFirstNet::output_shape == Shape<4, 5, 5>{});  // (12 + 2 - 5) / 2 + 1
static_assert(KernelFirstNet::output_shape == PadFirstNet::output_shape);
static_assert(KernelFirstNet::parameter_count == PadFirstNet::parameter_count);
static_assert(PadFirstNet::parameter_count == 4 * 3 * 5 * 5 + 4);
// Defaults: Kernel<3>, Stride<1>, Pad<0>.
static_assert(Conv2D<4>::kernel_h == 3 && Conv2D<4>::stride_w == 1 && Conv2D<4>::pad_h == 0);

// --- a forward pass evaluated by the compiler -----------------------------------------------
// Every value is a multiple of 1/16 well inside float's range, so float arithmetic is exact and
// the expected values (computed with Python's fractions) can be compared with ==.
using Tiny = Network<Input<1, 4, 4>, Conv2D<2, Kernel<3>, Pad<1>>, ReLU, MaxPool<2>, Flatten, Dense<3>>;
static_assert(Tiny::parameter_count == 2 * 9 + 2 + 3 * 8 + 3);

constexpr Tiny make_tiny() {
    Tiny net;
    // [filter][channel][ky][kx], then the two biases; the second bias makes one pooled window
    // all-negative, so ReLU changes the result.
    constexpr float conv[] = {0.25f,  0.f,   -0.25f, 0.5f, 0.25f, 0.f,  0.f,  -0.5f, 0.25f,  //
                              -0.25f, 0.25f, 0.5f,   0.f,  0.75f, -0.5f, 0.25f, -0.25f, 0.f,  //
                              0.25f,  -1.75f};
    // [unit][input], then the three biases
    constexpr float dense[] = {0.25f, -0.25f, 0.5f,  0.f,   0.25f,  -0.5f, 0.f,    0.25f,   //
                               0.f,   0.5f,   -0.25f, 0.25f, -0.25f, 0.f,   0.75f,  -0.5f,  //
                               -0.5f, 0.f,    0.25f,  0.25f, 0.5f,   0.25f, -0.25f, 0.f,    //
                               0.5f,  -0.25f, 0.f};
    auto c = net.layer_parameters<0>();
    for (std::size_t i = 0; i < c.size(); ++i) c[i] = conv[i];
    auto d = net.layer_parameters<4>();
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = dense[i];
    return net;
}

constexpr Tiny::input_tensor tiny_input() {
    constexpr float x[] = {0.5f, -1.f,  1.5f, 0.f,   1.f, 2.f,  -0.5f, -1.5f,
                           0.f,  0.5f, 1.f,  2.5f, -2.f, 1.5f, 0.5f,  1.f};
    Tiny::input_tensor t;
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = x[i];
    return t;
}

struct TinyResult {
    Tensor<Shape<2, 4, 4>, float> conv;
    Tensor<Shape<2, 2, 2>, float> pooled;
    Tensor<Shape<3>, float> output;
    Tensor<Shape<3>, float> predicted;
};

constexpr TinyResult run_tiny() {
    Tiny net = make_tiny();
    TinyResult r;
    r.output = net.forward(tiny_input());
    for (std::size_t i = 0; i < r.conv.size(); ++i) r.conv[i] = net.output_of<0>()[i];
    for (std::size_t i = 0; i < r.pooled.size(); ++i) r.pooled[i] = net.output_of<2>()[i];
    Inference<Tiny> inference(net);
    const auto p = inference.predict(tiny_input());
    for (std::size_t i = 0; i < 3; ++i) r.predicted[i] = p[i];
    return r;
}

constexpr TinyResult tiny = run_tiny();

// Zero padding at the borders: corner (0, 0) sees only the 2x2 bottom-right of the kernel.
static_assert(tiny.conv(0, 0, 0) == 0.375f);
static_assert(tiny.conv(0, 0, 3) == 1.75f);
static_assert(tiny.conv(0, 3, 3) == 1.0f);
static_assert(tiny.conv(1, 0, 0) == -1.125f);
static_assert(tiny.conv(1, 1, 1) == 0.25f);
static_assert(tiny.conv(1, 3, 0) == -3.75f);
static_assert(tiny.pooled == Tensor<Shape<2, 2, 2>, float>{{1.0f, 1.75f, 1.125f, 1.625f, 0.25f, 0.0f, 0.0f, 0.0f}});
static_assert(tiny.output == Tensor<Shape<3>, float>{{0.9375f, 0.6875f, 0.3125f}});
static_assert(tiny.predicted == tiny.output);

}  // namespace shapes_test
