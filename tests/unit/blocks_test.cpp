// Sequential, Residual and Concat blocks: known answers, paths, gradients through nested blocks,
// batched passes against sample-by-sample ones, partial batches, optimizer groups inside blocks.
#define BOOST_TEST_MODULE blocks
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../support/gradient_check.hpp"
#include "../support/network_batch_check.hpp"
#include "../support/points.hpp"

#include <typenet/train/trainer.hpp>
#include <typenet/typenet.hpp>
#include <typenet/viz/summary.hpp>

using namespace typenet;
using typenet_test::fill_inputs;
using typenet_test::randomize;

namespace {

/// A nested network: a residual block, a projected residual block, a concat of two branches.
template <class T>
using Nested = BasicNetwork<T, Input<2, 6, 6>, Conv2D<3, Kernel<3>, Pad<same>>, Tanh,
                            Residual<Conv2D<3, Kernel<3>, Pad<same>>, Tanh, Conv2D<3, Kernel<1>>>,
                            Residual<Shortcut<Conv2D<4, Kernel<1>, Stride<2>>>, Conv2D<4, Kernel<3>, Stride<2>, Pad<same>>, Tanh>,
                            Concat<Sequential<Conv2D<2, Kernel<1>>>, Sequential<Conv2D<3, Kernel<3>, Pad<same>>, Tanh>>,
                            Flatten, Dense<3>>;

}  // namespace

BOOST_AUTO_TEST_CASE(residual_adds_its_input_to_its_body) {
    static Network<Input<4>, Residual<ReLU>> net;
    const auto& y = net.forward({{-1, 2, -3, 4}});
    BOOST_TEST((y == Tensor<Shape<4>>{{-1, 4, -3, 8}}));
}

BOOST_AUTO_TEST_CASE(projected_residual_adds_the_shortcut) {
    // Body Dense<1> (w 1, 2; b 0.5), shortcut Dense<1> (w -1, 1; b 0): x = (3, 4) gives
    // 3 + 8 + 0.5 + (-3 + 4) = 12.5.
    using Net = Network<Input<2>, Residual<Shortcut<Dense<1>>, Dense<1>>>;
    static Net net;
    static_assert(Net::output_shape == Shape<1>{});
    static_assert(Net::parameter_tensors.size() == 4);
    static_assert(Net::parameter_tensors[2].path.depth == 3 && Net::parameter_tensors[2].path.index[1] == 1);
    net.parameters() = {{1, 2, 0.5f, -1, 1, 0}};
    BOOST_TEST(net.forward({{3, 4}})[0] == 12.5f);
}

BOOST_AUTO_TEST_CASE(concat_stacks_branches_along_channels) {
    static Network<Input<1, 2, 2>, Concat<ReLU, Sequential<LeakyReLU<std::ratio<1, 2>>>>> net;
    static_assert(decltype(net)::output_shape == Shape<2, 2, 2>{});
    const auto& y = net.forward({{-2, 1, 4, -6}});
    BOOST_TEST((y == Tensor<Shape<2, 2, 2>>{{0, 1, 4, 0, -1, 1, 4, -3}}));

    // Flat outputs stack too: Dense<2> and Dense<1> make 3 features.
    static_assert(Network<Input<3>, Concat<Dense<2>, Dense<1>>>::output_shape == Shape<3>{});
}

BOOST_AUTO_TEST_CASE(parameter_tensors_carry_paths_and_kinds) {
    using Net = Nested<float>;
    constexpr auto& t = Net::parameter_tensors;
    static_assert(t.size() == 2 * 8);
    // Layer 2, the residual block: its body's first convolution is 2.0, its last 2.2.
    static_assert(t[2].layer == 2 && t[2].kind == "Conv2D" && t[2].name == "weight");
    static_assert(t[2].path == LayerPath{}.child(2).child(0));
    static_assert(t[4].path == LayerPath{}.child(2).child(2));
    // Layer 3's shortcut is its child 2 (after the body's two layers): 3.2.0.
    static_assert(t[8].path == LayerPath{}.child(3).child(2).child(0));
    // Layer 4's second branch: 4.1.0.
    static_assert(t[12].path == LayerPath{}.child(4).child(1).child(0));
    // Offsets cover the parameters exactly once, in order.
    std::size_t next = 0;
    for (const ParameterInfo& tensor : t) {
        BOOST_TEST(tensor.offset == next);
        next += tensor.size;
    }
    BOOST_TEST(next == Net::parameter_count);
}

BOOST_AUTO_TEST_CASE(nested_network_gradients_in_a_batch) {
    using Net = Nested<double>;
    static Net net;
    randomize(net, 3);
    static Net::Batch<3> batch;
    fill_inputs<Net>(batch, 4);
    typenet_test::check_batch_gradients<SoftmaxCrossEntropy, 3>(net, batch, {0, 2, 1}, Mode::training);
}

BOOST_AUTO_TEST_CASE(nested_network_gradients_one_sample) {
    using Net = Nested<double>;
    static Net net;
    randomize(net, 5);
    typename Net::input_tensor x;
    Random random(6);
    for (auto& v : x) v = random.uniform(-1, 1);
    std::vector<std::size_t> all(Net::parameter_count);
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    typenet_test::check_network_gradients<SoftmaxCrossEntropy>(net, x, 1, all);
}

BOOST_AUTO_TEST_CASE(a_batched_pass_matches_sample_by_sample_passes) {
    // Each layer over 4 samples at once gives each sample's output, and the same gradient sums
    // (added in the same order), as 4 passes of one sample.
    using Net = Nested<float>;
    static Net net;
    randomize(net, 8);
    static Net::Batch<4> batch;
    fill_inputs<Net>(batch, 9);
    Random random(10);
    for (auto& g : batch.output_gradients) g = float(random.uniform(-1, 1));
    net.zero_gradients();
    net.forward(batch, Mode::training);
    net.backward(batch);
    const auto batched = net.gradients();

    net.zero_gradients();
    for (std::size_t b = 0; b < 4; ++b) {
        typename Net::input_tensor x;
        std::copy_n(batch.inputs.data() + b * x.size(), x.size(), x.data());
        const auto& y = net.forward(x);
        for (std::size_t i = 0; i < y.size(); ++i) BOOST_TEST(y[i] == batch.outputs[b * y.size() + i]);
        typename Net::output_tensor g;
        std::copy_n(batch.output_gradients.data() + b * g.size(), g.size(), g.data());
        net.backward(g);
    }
    for (std::size_t i = 0; i < Net::parameter_count; ++i)
        BOOST_TEST(net.gradients()[i] == batched[i], boost::test_tools::tolerance(1e-5f));
}

BOOST_AUTO_TEST_CASE(a_partial_batch_touches_only_its_samples) {
    using Net = Nested<double>;
    static Net net;
    randomize(net, 11);
    static Net::Batch<4> four;
    static Net::Batch<2> two;
    fill_inputs<Net>(four, 12);
    std::copy_n(four.inputs.data(), two.inputs.size(), two.inputs.data());
    four.outputs.fill(42.0);
    for (auto* batch_gradients : {four.output_gradients.data(), two.output_gradients.data()})
        for (std::size_t i = 0; i < two.output_gradients.size(); ++i) batch_gradients[i] = 0.1 * double(i + 1);

    net.zero_gradients();
    net.forward(four, Mode::training, 0, 2);
    net.backward(four);
    const auto from_four = net.gradients();
    net.zero_gradients();
    net.forward(two, Mode::training);
    net.backward(two);
    for (std::size_t i = 0; i < Net::parameter_count; ++i) BOOST_TEST(net.gradients()[i] == from_four[i]);
    for (std::size_t i = two.outputs.size(); i < four.outputs.size(); ++i) BOOST_TEST(four.outputs[i] == 42.0);
}

BOOST_AUTO_TEST_CASE(optimizer_groups_reach_inside_blocks) {
    using Net = Nested<float>;
    static Net net;
    randomize(net, 13);
    auto optimizer = make_optimizer<Net>(for_layers<"Conv2D">(SGD{.learning_rate = 0.1}), for_layers<"Dense">(Frozen{}));
    static_assert(decltype(optimizer)::trains<2> && decltype(optimizer)::trains<4> && !decltype(optimizer)::trains<6>);
    const auto before = net.parameters();
    net.gradients().fill(1.0f);
    optimizer.step(net);
    for (const ParameterInfo& tensor : Net::parameter_tensors)
        for (std::size_t i = tensor.offset; i < tensor.offset + tensor.size; ++i) {
            BOOST_TEST((net.parameters()[i] != before[i]) == (tensor.kind == "Conv2D"), tensor.kind << " " << i);
            BOOST_TEST(net.gradients()[i] == 0.0f);  // consumed, or cleared as frozen
        }
}

BOOST_AUTO_TEST_CASE(frozen_layers_before_a_block_get_no_gradient) {
    // layers<0, 2> frozen, the rest trained: backward stops at the residual block (layer 2).
    using Net = Nested<float>;
    static Net net;
    randomize(net, 14);
    auto optimizer = make_optimizer<Net>(layers<0, 2>(Frozen{}), layers<2, 7>(SGD{.learning_rate = 0.1}));
    static_assert(decltype(optimizer)::first_trained_layer == 2);
    static Net::Batch<2> batch;
    fill_inputs<Net>(batch, 15);
    batch.output_gradients.fill(0.5f);
    net.zero_gradients();
    net.forward(batch, Mode::training);
    net.backward<decltype(optimizer)::trained_layers>(batch);
    for (std::size_t i = 0; i < Net::parameter_offsets[2]; ++i) BOOST_TEST(net.gradients()[i] == 0.0f);
    std::size_t nonzero = 0;
    for (std::size_t i = Net::parameter_offsets[2]; i < Net::parameter_count; ++i) nonzero += net.gradients()[i] != 0.0f;
    BOOST_TEST(nonzero > (Net::parameter_count - Net::parameter_offsets[2]) / 2);
}

BOOST_AUTO_TEST_CASE(summary_indents_inner_layers_under_their_paths) {
    const std::string text = Nested<float>::summary();
    BOOST_TEST(text.find("\n2       Residual") != std::string::npos, text);
    BOOST_TEST(text.find("\n2.0       Conv2D 3 3x3 pad 1") != std::string::npos, text);
    BOOST_TEST(text.find("\n3.2       Shortcut") != std::string::npos, text);
    BOOST_TEST(text.find("\n3.2.0       Conv2D 4 1x1 /2") != std::string::npos, text);
    BOOST_TEST(text.find("\n4.1.1       Tanh") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(the_signature_names_every_inner_layer) {
    using A = Network<Input<1, 4, 4>, Residual<Conv2D<1, Kernel<3>, Pad<same>>>>;
    using B = Network<Input<1, 4, 4>, Residual<Conv2D<1, Kernel<1>>>>;
    const std::string_view a = network_signature<A>.view();
    BOOST_TEST(a.find("Residual {Conv2D filters=1 kernel_h=3") != std::string_view::npos, a);
    BOOST_TEST(network_signature<A>.view() != network_signature<B>.view());
}

BOOST_AUTO_TEST_CASE(a_nested_network_trains_in_batches) {
    // Four 6x6 two-channel patterns, one class each: a batch-4 trainer must fit them.
    using Net = Nested<float>;
    static Net net;
    initialize(net, Init::he_uniform, 16);
    test_support::Points points;
    points.dims = 72;
    Random random(17);
    for (std::size_t k = 0; k < 6; ++k) {
        std::vector<float> values(72);
        for (auto& v : values) v = float(random.uniform(-1, 1));
        points.values.insert(points.values.end(), values.begin(), values.end());
        points.classes.push_back(k % 3);
    }
    auto optimizer = make_optimizer<Net>(for_all_layers(Adam{.learning_rate = 0.01}));
    auto trainer = make_trainer<SoftmaxCrossEntropy, 4>(net, optimizer);
    const SanityResult result = trainer.sanity_check(points, {.samples = 6, .epochs = 300, .target_loss = 0.01});
    BOOST_TEST(result.passed, "loss " << result.initial_loss << " -> " << result.final_loss);
}

namespace {

using Tiny = Network<Input<1, 4, 4>, Conv2D<2, Kernel<3>, Pad<same>>, BatchNorm,
                     Residual<Conv2D<2, Kernel<3>, Pad<same>>, BatchNorm, Sigmoid>, GlobalAvgPool, Dropout<std::ratio<1, 2>>,
                     Dense<2>>;

/// Inference of a residual network with BatchNorm (running statistics away from 0 and 1), run
/// either while compiling or at run time.
constexpr std::array<float, 2> tiny_prediction() {
    Inference<Tiny> inference;
    auto& p = inference.parameters();
    for (std::size_t i = 0; i < p.size(); ++i) p[i] = float((i * 37) % 17) / 17.0f - 0.4f;
    for (const ParameterInfo& tensor : Tiny::parameter_tensors)
        if (tensor.name == "running_var")
            for (std::size_t i = 0; i < tensor.size; ++i) p[tensor.offset + i] = 0.5f + float(i);
    Tiny::input_tensor x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i % 5) - 2.0f;
    const auto y = inference.predict(x);
    return {y[0], y[1]};
}

}  // namespace

BOOST_AUTO_TEST_CASE(blocks_and_batch_norm_run_at_compile_time) {
    constexpr std::array<float, 2> compiled = tiny_prediction();
    const std::array<float, 2> run = tiny_prediction();
    // Sigmoid and the square root have constexpr stand-ins: equal to within a few ulps.
    for (std::size_t i = 0; i < 2; ++i) BOOST_TEST(compiled[i] == run[i], boost::test_tools::tolerance(1e-5f));
}
