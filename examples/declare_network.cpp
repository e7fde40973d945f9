// A network declared as a type: shapes, parameter count and memory are known at compile time.
#include <typenet/typenet.hpp>
#include <typenet/viz/summary.hpp>

using namespace typenet;

using SeedNet = Network<Input<1, 28, 28>,
                        Conv2D<8, Kernel<3>, Stride<2>>, LeakyReLU<>,  // 8x13x13
                        Conv2D<2, Kernel<3>, Stride<2>>, LeakyReLU<>,  // 2x6x6
                        Flatten, Dense<72>, Sigmoid, Dense<10>, Sigmoid>;

static_assert(SeedNet::shape_at<0> == Shape<8, 13, 13>{});
static_assert(SeedNet::output_shape == Shape<10>{});
static_assert(SeedNet::parameter_count == 8 * 9 + 8 + 2 * 72 + 2 + 72 * 72 + 72 + 72 * 10 + 10);
// An embedded target can check its RAM budget before anything runs:
static_assert(SeedNet::inference_bytes < 64 * 1024, "does not fit the device");

int main() {
    fmt::print("{}\n", SeedNet::summary());

    static SeedNet net;  // static: no stack or heap needed for its 95 KiB
    initialize(net, Init::xavier_uniform, 1);
    SeedNet::input_tensor image{};
    image(0, 14, 14) = 1.0f;  // one bright pixel in the middle
    const auto& scores = net.forward(image);
    fmt::print("untrained scores for a dot: {:.3f}\n", fmt::join(scores, " "));

    // Inference keeps only parameters, two activation buffers and one scratch area.
    static Inference<SeedNet> deployed(net);
    const auto same = deployed.predict(image);
    fmt::print("inference object: {} bytes; same answer: {}\n", sizeof(deployed),
               std::equal(same.begin(), same.end(), scores.begin()) ? "yes" : "no");
    return std::equal(same.begin(), same.end(), scores.begin()) ? 0 : 1;
}
