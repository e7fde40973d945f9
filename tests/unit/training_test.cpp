// Trainer, losses and optimizers: learning, hand-computed updates, determinism, NaN handling.
#define BOOST_TEST_MODULE training
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <functional>
#include <limits>
#include <memory>
#include <ratio>
#include <string>
#include <utility>
#include <vector>

#include "../../examples/support/mnist_run.hpp"
#include "../support/points.hpp"
#include "../support/temp_dir.hpp"

#include <fmt/format.h>

#include <typenet/data/augment.hpp>
#include <typenet/io/weights.hpp>
#include <typenet/train/trainer.hpp>
#include <typenet/typenet.hpp>
#include <typenet/viz/preview_writer.hpp>

using namespace typenet;

namespace {

/// Points in `dims` dimensions with their class; what every test here trains on.
using test_support::Points;
using test_support::quiet;

Points xor_points() {
    Points p;
    p.add({0, 0}, 0);
    p.add({0, 1}, 1);
    p.add({1, 0}, 1);
    p.add({1, 1}, 0);
    return p;
}

/// Two Gaussian-free clouds split by the line x + y = 0, with a margin.
Points separable_points(std::size_t count, std::uint64_t seed) {
    Points p;
    Random random(seed);
    while (p.size() < count) {
        const float x = float(random.uniform(-1, 1)), y = float(random.uniform(-1, 1));
        if (std::abs(x + y) < 0.2f) continue;
        p.add({x, y}, x + y > 0 ? 1 : 0);
    }
    return p;
}

using XorNet = Network<Input<2>, Dense<8>, Tanh, Dense<2>>;

}  // namespace

BOOST_AUTO_TEST_CASE(xor_is_learned_to_full_accuracy) {
    XorNet net;
    initialize(net, Init::xavier_uniform, 3);
    auto optimizer = make_optimizer<XorNet>(for_all_layers(Adam{.learning_rate = 0.05}));
    auto trainer = make_trainer<SoftmaxCrossEntropy>(net, optimizer);
    const Points data = xor_points();
    const Evaluation before = trainer.evaluate(data);
    trainer.fit(data, &data, quiet(300));
    const Evaluation after = trainer.evaluate(data);
    BOOST_TEST(after.accuracy == 1.0);
    BOOST_TEST(after.loss < 0.05);
    BOOST_TEST(after.loss < before.loss);
    BOOST_TEST(after.confusion.at(0, 0) == 2u);
    BOOST_TEST(after.confusion.at(1, 1) == 2u);
}

BOOST_AUTO_TEST_CASE(evaluate_takes_batches_and_gives_the_results_of_one_sample_at_a_time) {
    // Batches of 4 over 10 samples (the last one partial), on two threads, in inference mode:
    // BatchNorm on its running statistics, no Dropout, the loss of each sample as forward(x) gives it.
    using Net = Network<Input<1, 6, 6>, Conv2D<3, Kernel<3>, Pad<same>>, BatchNorm, ReLU, MaxPool<2>, Flatten,
                        Dropout<std::ratio<1, 2>>, Dense<3>>;
    auto net = std::make_unique<Net>();
    initialize(*net, Init::he_uniform, 4);
    net->layer_tensor<1, "running_mean">()[1] = 0.5f;
    net->layer_tensor<1, "running_var">()[2] = 3.0f;
    test_support::Points data{36, {}, {}};
    Random random(5);
    for (std::size_t i = 0; i < 10; ++i) {
        for (std::size_t v = 0; v < 36; ++v) data.values.push_back(float(random.uniform(-1, 1)));
        data.classes.push_back(i % 3);
    }
    double loss = 0;
    std::size_t correct = 0;
    Net::output_tensor gradient{};
    for (std::size_t i = 0; i < data.size(); ++i) {
        Net::input_tensor x{};
        std::copy_n(data.image(i).begin(), 36, x.begin());
        const auto& y = net->forward(x);
        loss += double(SoftmaxCrossEntropy::compute(y, data.label(i), gradient));
        correct += std::size_t(std::max_element(y.begin(), y.end()) - y.begin()) == data.label(i);
    }
    auto optimizer = make_optimizer<Net>(for_all_layers(SGD{}));
    auto trainer = make_trainer<SoftmaxCrossEntropy, 4>(*net, optimizer);
    trainer.use_threads(2);
    const Evaluation evaluation = trainer.evaluate(data);
    BOOST_TEST(evaluation.loss == loss / 10);
    BOOST_TEST(evaluation.accuracy == double(correct) / 10);
    BOOST_TEST(evaluation.confusion.correct() == correct);
    BOOST_TEST(correct > 0u);
    BOOST_TEST(correct < 10u);
}

BOOST_AUTO_TEST_CASE(separable_set_is_learned_with_minibatches_and_sigmoid_mse) {
    using Net = Network<Input<2>, Dense<4>, Sigmoid, Dense<2>, Sigmoid>;
    Net net;
    initialize(net, Init::xavier_uniform, 5);
    auto optimizer = make_optimizer<Net>(for_all_layers(SGD{.learning_rate = 0.5, .momentum = 0.9}));
    auto trainer = make_trainer<MeanSquaredError, 8>(net, optimizer);
    const Points train = separable_points(400, 1), test = separable_points(200, 2);
    const History history = trainer.fit(train, &test, quiet(30));
    BOOST_TEST(trainer.evaluate(test).accuracy == 1.0);
    BOOST_REQUIRE(history.epochs.size() == 30u);
    BOOST_TEST(*history.epochs.back().validation_accuracy == 1.0);
    BOOST_TEST(history.epochs.back().train_loss < history.epochs.front().train_loss);
    // 400 samples in batches of 8: 50 updates an epoch.
    BOOST_TEST(optimizer.steps() == 30u * 50u);
}

BOOST_AUTO_TEST_CASE(sanity_check_overfits_a_few_samples) {
    using Net = Network<Input<8>, Dense<32>, ReLU, Dense<3>>;
    Net net;
    initialize(net, Init::he_uniform, 7);
    auto optimizer = make_optimizer<Net>(for_all_layers(Adam{.learning_rate = 0.01}));
    auto trainer = make_trainer<SoftmaxCrossEntropy>(net, optimizer);
    Points noise;
    noise.dims = 8;
    Random random(11);
    for (int i = 0; i < 24; ++i) {
        for (int d = 0; d < 8; ++d) noise.values.push_back(float(random.uniform(-1, 1)));
        noise.classes.push_back(random.below(3));
    }
    const SanityResult result = trainer.sanity_check(noise, {.samples = 24, .epochs = 3000, .target_loss = 0.01});
    BOOST_TEST(result.passed);
    BOOST_TEST(result.final_loss < 0.01);
    BOOST_TEST(result.initial_loss > 0.5);  // labels are random: it had to memorise them
}

// One Dense<1> unit: w = 0.5, b = 0.1, input x = 2, MSE against target 1 (label 0 of one output).
// y = 1.1, dL/dy = 2 (y - 1) = 0.2, so dL/dw = 0.4 and dL/db = 0.2.
using Unit = Network<Input<1>, Dense<1>>::with_scalar<double>;

struct UnitCase {
    Unit net;
    Points one;
    UnitCase() {
        net.parameters()[0] = 0.5;
        net.parameters()[1] = 0.1;
        one.dims = 1;
        one.add({2.0f}, 0);
    }
    template <class Opt>
    void steps(Opt& optimizer, int count) {
        auto trainer = make_trainer<MeanSquaredError>(net, optimizer);
        const std::size_t index = 0;
        for (int i = 0; i < count; ++i) trainer.step(one, std::span<const std::size_t>(&index, 1));
    }
    double w() const { return net.parameters()[0]; }
    double b() const { return net.parameters()[1]; }
};

BOOST_AUTO_TEST_CASE(sgd_update_matches_hand_computation) {
    UnitCase c;
    auto optimizer = make_optimizer<Unit>(for_all_layers(SGD{.learning_rate = 0.1}));
    c.steps(optimizer, 1);
    BOOST_TEST(c.w() == 0.5 - 0.1 * 0.4, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(c.b() == 0.1 - 0.1 * 0.2, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(c.net.gradients()[0] == 0.0);  // consumed by the update
}

/// Two SGD steps with momentum 0.9 and weight decay 0.01 by hand; `bias_decays` says whether
/// the decay reaches the bias (DecayScope::every_tensor) or spares it (DecayScope::declared).
template <class Opt>
void check_sgd_momentum_and_decay(Opt& optimizer, bool bias_decays) {
    UnitCase c;
    c.steps(optimizer, 2);
    const double bias_decay = bias_decays ? 0.01 : 0.0;
    // step 1: g = (0.4 + 0.01 * 0.5, 0.2 + decay * 0.1); v = g; p -= 0.1 v
    double w = 0.5, b = 0.1;
    double vw = 0.4 + 0.01 * w, vb = 0.2 + bias_decay * b;
    w -= 0.1 * vw;
    b -= 0.1 * vb;
    // step 2 at the new point: y = 2w + b, dL/dy = 2 (y - 1)
    const double dy = 2 * (2 * w + b - 1);
    vw = 0.9 * vw + dy * 2 + 0.01 * w;
    vb = 0.9 * vb + dy + bias_decay * b;
    w -= 0.1 * vw;
    b -= 0.1 * vb;
    BOOST_TEST(c.w() == w, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(c.b() == b, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(sgd_momentum_and_weight_decay_match_hand_computation) {
    // By default weight decay reaches every trained tensor, as in PyTorch.
    auto optimizer =
        make_optimizer<Unit>(for_all_layers(SGD{.learning_rate = 0.1, .momentum = 0.9, .weight_decay = 0.01}));
    check_sgd_momentum_and_decay(optimizer, true);
}

BOOST_AUTO_TEST_CASE(decay_scope_declared_spares_the_bias) {
    auto optimizer = make_optimizer<Unit>(for_all_layers(SGD{.learning_rate = 0.1, .momentum = 0.9, .weight_decay = 0.01},
                                                         Constant{}, DecayScope::declared));
    check_sgd_momentum_and_decay(optimizer, false);
}

BOOST_AUTO_TEST_CASE(adam_matches_hand_computation) {
    UnitCase c;
    auto optimizer = make_optimizer<Unit>(for_all_layers(Adam{.learning_rate = 0.1}));
    c.steps(optimizer, 2);
    double w = 0.5, b = 0.1, mw = 0, mb = 0, vw = 0, vb = 0;
    for (int t = 1; t <= 2; ++t) {
        const double dy = 2 * (2 * w + b - 1), gw = dy * 2, gb = dy;
        mw = 0.9 * mw + 0.1 * gw;
        mb = 0.9 * mb + 0.1 * gb;
        vw = 0.999 * vw + 0.001 * gw * gw;
        vb = 0.999 * vb + 0.001 * gb * gb;
        const double c1 = 1 - std::pow(0.9, t), c2 = 1 - std::pow(0.999, t);
        w -= 0.1 * (mw / c1) / (std::sqrt(vw / c2) + 1e-8);
        b -= 0.1 * (mb / c1) / (std::sqrt(vb / c2) + 1e-8);
    }
    BOOST_TEST(c.w() == w, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(c.b() == b, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(first_adam_step_moves_by_the_learning_rate) {
    UnitCase c;
    auto optimizer = make_optimizer<Unit>(for_all_layers(Adam{.learning_rate = 0.1}));
    c.steps(optimizer, 1);
    // m / sqrt(v) after bias correction is g / |g|: each parameter moves by lr against its gradient.
    BOOST_TEST(c.w() == 0.4, boost::test_tools::tolerance(1e-6));
    BOOST_TEST(c.b() == 0.0, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(exponential_decay_scales_the_learning_rate) {
    const ExponentialDecay decay{.rate = 0.5, .steps = 10};
    BOOST_TEST(decay.learning_rate(0.1, 0) == 0.1);
    BOOST_TEST(decay.learning_rate(0.1, 10) == 0.05, boost::test_tools::tolerance(1e-15));
    BOOST_TEST(decay.learning_rate(0.1, 5) == 0.1 * std::sqrt(0.5), boost::test_tools::tolerance(1e-15));
    UnitCase c;
    auto optimizer = make_optimizer<Unit>(for_all_layers(SGD{.learning_rate = 0.1}, ExponentialDecay{.rate = 0.5, .steps = 1}));
    c.steps(optimizer, 2);
    double w = 0.5, b = 0.1;
    for (int t = 0; t < 2; ++t) {
        const double lr = 0.1 * std::pow(0.5, t), dy = 2 * (2 * w + b - 1);
        w -= lr * dy * 2;
        b -= lr * dy;
    }
    BOOST_TEST(c.w() == w, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(layer_groups_update_only_their_layers) {
    using Net = Network<Input<1, 6, 6>, Conv2D<2, Kernel<3>>, ReLU, Flatten, Dense<3>>;
    Net net;
    initialize(net, Init::he_uniform, 1);
    const auto before = net.parameters();
    // Dense trained with a zero learning rate: only the convolution may move.
    auto optimizer = make_optimizer<Net>(for_layers<"Conv2D">(SGD{.learning_rate = 0.1}),
                                         for_layers<"Dense">(Adam{.learning_rate = 0.0}));
    Points data;
    data.dims = 36;
    std::vector<float> image(36);
    for (std::size_t i = 0; i < 36; ++i) image[i] = float(i) / 36.0f;
    data.values = image;
    data.classes = {2};
    auto trainer = make_trainer<SoftmaxCrossEntropy>(net, optimizer);
    const std::size_t index = 0;
    trainer.step(data, std::span<const std::size_t>(&index, 1));
    std::size_t conv_changed = 0, dense_changed = 0;
    for (std::size_t i = 0; i < Net::parameter_count; ++i)
        if (net.parameters()[i] != before[i]) ++(i < Net::parameter_offsets[3] ? conv_changed : dense_changed);
    BOOST_TEST(conv_changed > 0u);
    BOOST_TEST(dense_changed == 0u);
    BOOST_TEST(decltype(optimizer)::state_bytes > 2 * 3 * 33 * sizeof(float));  // Adam's m and v for Dense
}

BOOST_AUTO_TEST_CASE(same_seed_gives_bit_identical_weights) {
    auto train = [](std::uint64_t seed) {
        auto net = std::make_unique<XorNet>();
        initialize(*net, Init::xavier_normal, seed);
        auto optimizer = make_optimizer<XorNet>(for_layers<"Dense">(Adam{.learning_rate = 0.01}));
        auto trainer = make_trainer<SoftmaxCrossEntropy, 2>(*net, optimizer);
        const Points data = separable_points(64, 3);
        FitOptions options = quiet(3);
        options.seed = seed;
        trainer.fit(data, &data, options);
        return net->parameters();
    };
    const auto first = train(42), second = train(42), other = train(43);
    BOOST_TEST(std::memcmp(first.data(), second.data(), XorNet::parameter_count * sizeof(float)) == 0);
    BOOST_TEST(std::memcmp(first.data(), other.data(), XorNet::parameter_count * sizeof(float)) != 0);
}

BOOST_AUTO_TEST_CASE(nan_in_an_input_stops_training_naming_epoch_and_sample) {
    XorNet net;
    initialize(net, Init::xavier_uniform, 3);
    auto optimizer = make_optimizer<XorNet>(for_all_layers(Adam{}));
    auto trainer = make_trainer<SoftmaxCrossEntropy>(net, optimizer);
    Points data = separable_points(50, 4);
    FitOptions options = quiet(2);
    options.shuffle = false;
    // The data is clean when fit checks it; sample 37 goes bad at the end of epoch 1, as a
    // source computed on the fly might.
    options.callbacks.push_back({50, [&](const TrainingEvent&) { data.values[2 * 37 + 1] = std::numeric_limits<float>::quiet_NaN(); }});
    try {
        trainer.fit(data, &data, options);
        BOOST_FAIL("training went on past a NaN input");
    } catch (const training_error& e) {
        const std::string message = e.what();
        BOOST_TEST_MESSAGE(message);
        BOOST_TEST(message.find("nan") != std::string::npos);
        BOOST_TEST(message.find("epoch 2") != std::string::npos);
        BOOST_TEST(message.find("sample 38 of 50") != std::string::npos);  // 1-based position
        BOOST_TEST(message.find("index 37") != std::string::npos);
        BOOST_TEST(e.history.epochs.size() == 1u);
    }
    // The bad sample made no update: every weight is still finite.
    for (float w : net.parameters()) BOOST_TEST(std::isfinite(w));
}

BOOST_AUTO_TEST_CASE(data_that_does_not_fit_the_input_is_rejected) {
    XorNet net;
    auto optimizer = make_optimizer<XorNet>(for_all_layers(Adam{}));
    auto trainer = make_trainer<SoftmaxCrossEntropy>(net, optimizer);
    Points three_d;
    three_d.dims = 3;
    three_d.add({1, 2, 3}, 0);
    BOOST_CHECK_EXCEPTION(trainer.fit(three_d, quiet(1)), training_error, [](const training_error& e) {
        return std::string(e.what()) == "typenet: fit: training sample 0 has 3 values, but the network's input needs 2";
    });
}

BOOST_AUTO_TEST_CASE(empty_training_set_is_rejected) {
    XorNet net;
    auto optimizer = make_optimizer<XorNet>(for_all_layers(Adam{}));
    auto trainer = make_trainer<SoftmaxCrossEntropy>(net, optimizer);
    BOOST_CHECK_EXCEPTION(trainer.fit(Points{}, quiet(1)), training_error, [](const training_error& e) {
        return std::string(e.what()).find("training set is empty") != std::string::npos;
    });
}

BOOST_AUTO_TEST_CASE(history_callbacks_and_plain_progress_lines) {
    XorNet net;
    initialize(net, Init::xavier_uniform, 3);
    auto optimizer = make_optimizer<XorNet>(for_all_layers(Adam{.learning_rate = 0.01}));
    auto trainer = make_trainer<SoftmaxCrossEntropy>(net, optimizer);
    const Points data = separable_points(100, 5);
    std::FILE* log = std::tmpfile();
    BOOST_REQUIRE(log != nullptr);
    FitOptions options;
    options.epochs = 2;
    options.records_per_epoch = 10;
    options.progress = ProgressStyle::automatic;  // a file is not a terminal: plain lines
    options.progress_stream = log;
    std::vector<std::size_t> calls;
    options.callbacks.push_back({25, [&](const TrainingEvent& event) { calls.push_back(event.epoch * 1000 + event.sample); }});
    const History history = trainer.fit(data, &data, options);

    BOOST_TEST(history.epochs.size() == 2u);
    BOOST_TEST(history.iterations.size() == 20u);
    BOOST_TEST(history.iterations.back().progress == 2.0);
    BOOST_TEST(history.iterations.front().progress == 0.1, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(calls == (std::vector<std::size_t>{1025, 1050, 1075, 1100, 2025, 2050, 2075, 2100}),
               boost::test_tools::per_element());
    BOOST_TEST(history.epochs[0].samples_per_second > 0);

    std::rewind(log);
    std::string text(4096, '\0');
    text.resize(std::fread(text.data(), 1, text.size(), log));
    std::fclose(log);
    BOOST_TEST(text.find('\r') == std::string::npos);
    BOOST_TEST(text.find("epoch 1/2  10%") != std::string::npos);
    BOOST_TEST(text.find("epoch 2/2 100%") != std::string::npos);
    BOOST_TEST(text.find("samples/s") != std::string::npos);
    BOOST_TEST(text.find("validation loss") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(flush_denormals_is_scoped) {
    volatile float tiny = 1e-39f;  // subnormal; volatile so the products are computed at run time
    // Halving keeps the product subnormal (x * 1 would be folded away by the compiler).
    const float before = tiny * 0.5f;
    float during = 0;
    {
        FlushDenormals flush;
        during = tiny * 0.5f;
    }
    const float after = tiny * 0.5f;
    BOOST_TEST(before != 0.0f);
#if defined(__SSE__)
    BOOST_TEST(during == 0.0f);
#endif
    BOOST_TEST(after == before);
}

// === every sample is checked before training or evaluation starts =============================

namespace {

/// The message of the training_error that `run` throws, or "" when it throws none.
template <class Run>
std::string training_error_of(Run run) {
    try {
        run();
    } catch (const training_error& e) {
        return e.what();
    }
    return "";
}

/// Sample 2 has one value too many: only a scan of every sample finds it.
struct Ragged : Points {
    std::span<const float> image(std::size_t i) const { return {values.data() + i * dims, dims + (i == 2 ? 1 : 0)}; }
};

/// Presents `points` unchanged, counting its reads, and names `points` as the data underneath.
struct CountingView {
    const Points& points;
    mutable std::size_t reads = 0;
    std::size_t size() const { return points.size(); }
    std::span<const float> image(std::size_t i) const {
        ++reads;
        return points.image(i);
    }
    std::size_t label(std::size_t i) const { return points.label(i); }
    const Points& underlying() const { return points; }
};

struct XorCase {
    XorNet net;
    decltype(make_optimizer<XorNet>(for_all_layers(Adam{}))) optimizer{for_all_layers(Adam{})};
    Trainer<XorNet, SoftmaxCrossEntropy, decltype(optimizer)> trainer{net, optimizer};
    XorCase() { initialize(net, Init::xavier_uniform, 3); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_label_beyond_the_outputs_is_rejected_before_training) {
    XorCase c;
    const auto before = c.net.parameters();
    Points data = separable_points(50, 4);
    data.classes[43] = 5;
    BOOST_TEST(training_error_of([&] { c.trainer.fit(data, quiet(1)); }) ==
               "typenet: fit: training sample 43 has label 5, but the network has 2 outputs");
    BOOST_TEST(c.optimizer.steps() == 0u);
    BOOST_TEST(std::memcmp(before.data(), c.net.parameters().data(), XorNet::parameter_count * sizeof(float)) == 0);
}

BOOST_AUTO_TEST_CASE(a_bad_validation_sample_is_rejected_before_training) {
    XorCase c;
    const Points train = separable_points(50, 4);
    Points validation = separable_points(10, 5);
    validation.classes[4] = 7;
    BOOST_TEST(training_error_of([&] { c.trainer.fit(train, &validation, quiet(1)); }) ==
               "typenet: fit: validation sample 4 has label 7, but the network has 2 outputs");
    BOOST_TEST(c.optimizer.steps() == 0u);
}

BOOST_AUTO_TEST_CASE(every_sample_size_is_checked_not_only_the_first) {
    XorCase c;
    Ragged data;
    for (const auto& [point, label] : {std::pair{0.0f, 0u}, {1.0f, 1u}, {2.0f, 0u}, {3.0f, 1u}})
        data.add({point, -point}, label);
    BOOST_TEST(training_error_of([&] { c.trainer.fit(data, quiet(1)); }) ==
               "typenet: fit: training sample 2 has 3 values, but the network's input needs 2");
    BOOST_TEST(c.optimizer.steps() == 0u);
}

BOOST_AUTO_TEST_CASE(a_non_finite_input_is_rejected_before_training) {
    XorCase c;
    Points data = separable_points(50, 4);
    data.values[2 * 37 + 1] = std::numeric_limits<float>::quiet_NaN();
    BOOST_TEST(training_error_of([&] { c.trainer.fit(data, quiet(1)); }) ==
               "typenet: fit: training sample 37 has value nan at position 1; inputs must be finite");
    data.values[2 * 37 + 1] = 0;
    data.values[2 * 12] = -std::numeric_limits<float>::infinity();
    BOOST_TEST(training_error_of([&] { c.trainer.fit(data, quiet(1)); }) ==
               "typenet: fit: training sample 12 has value -inf at position 0; inputs must be finite");
    BOOST_TEST(c.optimizer.steps() == 0u);
}

BOOST_AUTO_TEST_CASE(evaluate_and_sanity_check_check_every_sample) {
    XorCase c;
    Points data = xor_points();
    data.classes[2] = 9;
    BOOST_TEST(training_error_of([&] { c.trainer.evaluate(data); }) ==
               "typenet: evaluate: sample 2 has label 9, but the network has 2 outputs");
    BOOST_TEST(training_error_of([&] { c.trainer.sanity_check(data); }) ==
               "typenet: sanity_check: sample 2 has label 9, but the network has 2 outputs");
    BOOST_TEST(c.optimizer.steps() == 0u);
}

BOOST_AUTO_TEST_CASE(step_checks_the_whole_batch_before_any_work) {
    XorCase c;
    Points data = xor_points();
    data.classes[1] = 5;
    auto pairs = make_trainer<SoftmaxCrossEntropy, 2>(c.net, c.optimizer);
    const std::array<std::size_t, 2> bad_label{0, 1}, past_the_end{0, 4};
    BOOST_TEST(training_error_of([&] { pairs.step(data, bad_label); }) ==
               "typenet: step: sample 1 has label 5, but the network has 2 outputs");
    BOOST_TEST(training_error_of([&] { pairs.step(data, past_the_end); }) ==
               "typenet: step: sample index 4 is out of range (the data has 4 samples)");
    BOOST_TEST(c.optimizer.steps() == 0u);
    for (float g : c.net.gradients()) BOOST_TEST(g == 0.0f);  // sample 0 was not even run
}

BOOST_AUTO_TEST_CASE(sources_computed_on_the_fly_are_checked_through_their_data) {
    // RandomShift draws an offset at every read: the check reads the Dataset underneath instead.
    using Net = Network<Input<1, 2, 2>, Flatten, Dense<3>>;
    Net net;
    auto optimizer = make_optimizer<Net>(for_all_layers(SGD{}));
    auto trainer = make_trainer<SoftmaxCrossEntropy>(net, optimizer);
    Dataset images{2, 2, std::vector<float>(12, 0.5f), {0, 5, 2}};
    BOOST_TEST(training_error_of([&] { trainer.fit(RandomShift(images, 1, 7), quiet(1)); }) ==
               "typenet: fit: training sample 1 has label 5, but the network has 3 outputs");

    const Points data = separable_points(20, 4);
    const CountingView view{data};
    XorCase c;
    c.trainer.fit(view, quiet(1));
    BOOST_TEST(view.reads == 20u);  // each sample read once, by training only
}

BOOST_AUTO_TEST_CASE(sanity_check_without_samples_is_an_error) {
    XorCase c;
    BOOST_TEST(training_error_of([&] { c.trainer.sanity_check(Points{}); }) ==
               "typenet: sanity_check: no samples to overfit (the data has 0, SanityOptions::samples is 32)");
    BOOST_TEST(training_error_of([&] { c.trainer.sanity_check(xor_points(), {.samples = 0}); }) ==
               "typenet: sanity_check: no samples to overfit (the data has 4, SanityOptions::samples is 0)");
}

BOOST_AUTO_TEST_CASE(exponential_decay_over_zero_steps_keeps_the_rate) {
    const ExponentialDecay decay{.rate = 0.5, .steps = 0};
    BOOST_TEST(decay.learning_rate(0.1, 0) == 0.1);
    BOOST_TEST(decay.learning_rate(0.1, 7) == 0.1);
}

// === updates computed by hand over minibatches ===============================================

namespace {

// Input<2> -> Dense<1> in double, MSE against the one-hot target 1: L = (y - 1)^2.
using Pair = Network<Input<2>, Dense<1>>::with_scalar<double>;
using PairParameters = std::array<double, 3>;  // w0, w1, b: Dense's order, weights then bias

/// Five samples, so batches of 3 leave a partial last batch of 2. All values are exact in float.
Points five_points() {
    Points p;
    p.add({1, 2}, 0);
    p.add({0.5f, -1}, 0);
    p.add({-2, 0.25f}, 0);
    p.add({3, 1}, 0);
    p.add({-0.5f, -1.5f}, 0);
    return p;
}

PairParameters mean_gradient(const Points& data, const PairParameters& p, std::size_t begin, std::size_t end) {
    PairParameters g{};
    for (std::size_t i = begin; i < end; ++i) {
        const double x0 = data.image(i)[0], x1 = data.image(i)[1];
        const double dy = 2 * (p[0] * x0 + p[1] * x1 + p[2] - 1);
        g[0] += dy * x0;
        g[1] += dy * x1;
        g[2] += dy;
    }
    for (double& v : g) v /= double(end - begin);
    return g;
}

/// The parameters after `epochs` passes over `data` in order, in batches of `batch`, where
/// `update(p, mean_gradient, t)` applies update t (from 0).
template <class Update>
PairParameters by_hand(const Points& data, PairParameters p, std::size_t batch, std::size_t epochs, Update update) {
    std::size_t t = 0;
    for (std::size_t epoch = 0; epoch < epochs; ++epoch)
        for (std::size_t begin = 0; begin < data.size(); begin += batch)
            update(p, mean_gradient(data, p, begin, std::min(begin + batch, data.size())), t++);
    return p;
}

/// What the trainer makes of the same run, at batch 3.
template <class Rule, class LearningRate = Constant>
PairParameters by_trainer(const Points& data, const PairParameters& start, std::size_t epochs, Rule rule,
                          LearningRate schedule = {}) {
    Pair net;
    std::copy(start.begin(), start.end(), net.parameters().begin());
    auto optimizer = make_optimizer<Pair>(for_all_layers(rule, schedule));
    auto trainer = make_trainer<MeanSquaredError, 3>(net, optimizer);
    FitOptions options = quiet(epochs);
    options.shuffle = false;
    trainer.fit(data, options);
    BOOST_TEST(optimizer.steps() == 2 * epochs);
    return {net.parameters()[0], net.parameters()[1], net.parameters()[2]};
}

/// Adam as its paper writes it, with L2 weight decay added to the gradient and a learning rate
/// for update t from `learning_rate(t)`.
struct AdamByHand {
    std::function<double(std::size_t)> learning_rate;
    double weight_decay = 0;
    PairParameters m{}, v{};
    void operator()(PairParameters& p, const PairParameters& mean, std::size_t t) {
        const double c1 = 1 - std::pow(0.9, double(t + 1)), c2 = 1 - std::pow(0.999, double(t + 1));
        for (std::size_t k = 0; k < 3; ++k) {
            const double g = mean[k] + weight_decay * p[k];
            m[k] = 0.9 * m[k] + 0.1 * g;
            v[k] = 0.999 * v[k] + 0.001 * g * g;
            p[k] -= learning_rate(t) * (m[k] / c1) / (std::sqrt(v[k] / c2) + 1e-8);
        }
    }
};

constexpr PairParameters pair_start{0.5, -0.25, 0.1};

}  // namespace

BOOST_AUTO_TEST_CASE(sgd_minibatches_update_with_the_mean_gradient) {
    const Points data = five_points();
    const PairParameters expected = by_hand(data, pair_start, 3, 1, [](PairParameters& p, const PairParameters& g, std::size_t) {
        for (std::size_t k = 0; k < 3; ++k) p[k] -= 0.1 * g[k];
    });
    const PairParameters trained = by_trainer(data, pair_start, 1, SGD{.learning_rate = 0.1});
    for (std::size_t k = 0; k < 3; ++k) BOOST_TEST(trained[k] == expected[k], boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(adam_minibatches_update_with_the_mean_gradient) {
    const Points data = five_points();
    const PairParameters expected = by_hand(data, pair_start, 3, 1, AdamByHand{[](std::size_t) { return 0.1; }});
    const PairParameters trained = by_trainer(data, pair_start, 1, Adam{.learning_rate = 0.1});
    for (std::size_t k = 0; k < 3; ++k) BOOST_TEST(trained[k] == expected[k], boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(adam_with_weight_decay_and_a_decaying_rate_matches_hand_computation) {
    // Two epochs of two batches: four updates at 0.1, 0.1 / sqrt(2), 0.05, 0.05 / sqrt(2).
    const Points data = five_points();
    const PairParameters expected = by_hand(
        data, pair_start, 3, 2, AdamByHand{[](std::size_t t) { return 0.1 * std::pow(0.5, double(t) / 2); }, 0.01});
    const PairParameters trained =
        by_trainer(data, pair_start, 2, Adam{.learning_rate = 0.1, .weight_decay = 0.01}, ExponentialDecay{.rate = 0.5, .steps = 2});
    for (std::size_t k = 0; k < 3; ++k) BOOST_TEST(trained[k] == expected[k], boost::test_tools::tolerance(1e-12));
}

// === non-finite weights ======================================================================

namespace {

using NormNet = Network<Input<2>, Dense<4>, BatchNorm, ReLU, Dense<2>>;

// Training normalises with the batch's statistics and only writes the running ones, so a NaN
// planted in a running mean leaves the loss finite: only the scan of the weights can notice.
// Parameter 9 of layer 1 (BatchNorm: weight, bias, running_mean, running_var, 4 each) is the
// second feature's running mean; Dense<4> on 2 inputs holds the 12 parameters before it.
constexpr std::size_t unread_statistic = 12 + 9;

}  // namespace

BOOST_AUTO_TEST_CASE(a_non_finite_weight_stops_training_and_keeps_the_history) {
    NormNet net;
    initialize(net, Init::he_uniform, 3);
    auto optimizer = make_optimizer<NormNet>(for_all_layers(SGD{.learning_rate = 0.01}));
    auto trainer = make_trainer<SoftmaxCrossEntropy>(net, optimizer);
    const Points data = separable_points(50, 4);
    FitOptions options = quiet(3);
    options.check_weights_every = 10;
    options.callbacks.push_back({25, [&](const TrainingEvent& event) {
        if (event.epoch == 2 && event.sample == 25) net.parameters()[unread_statistic] = std::numeric_limits<float>::quiet_NaN();
    }});
    try {
        trainer.fit(data, options);
        BOOST_FAIL("training went on with a NaN weight");
    } catch (const training_error& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "typenet: parameter 9 of layer 1 (BatchNorm) became nan during epoch 2 (by sample 30 of 50); "
                   "training stopped. Lower the learning rate.");
        BOOST_TEST(e.history.epochs.size() == 1u);
        BOOST_TEST(e.history.iterations.size() == 50u + 30u);  // one record per sample here
    }
}

BOOST_AUTO_TEST_CASE(weights_are_checked_at_every_epoch_end) {
    NormNet net;
    initialize(net, Init::he_uniform, 3);
    auto optimizer = make_optimizer<NormNet>(for_all_layers(SGD{.learning_rate = 0.01}));
    auto trainer = make_trainer<SoftmaxCrossEntropy>(net, optimizer);
    const Points data = separable_points(50, 4);
    FitOptions options = quiet(2);
    options.check_weights_every = 0;  // no scans during the epoch
    options.callbacks.push_back({25, [&](const TrainingEvent& event) {
        if (event.sample == 25) net.parameters()[unread_statistic] = std::numeric_limits<float>::quiet_NaN();
    }});
    BOOST_TEST(training_error_of([&] { trainer.fit(data, options); }) ==
               "typenet: parameter 9 of layer 1 (BatchNorm) became nan during epoch 1 (by sample 50 of 50); "
               "training stopped. Lower the learning rate.");
}

// === end-of-epoch hooks and checkpoints ======================================================

BOOST_AUTO_TEST_CASE(the_checkpoint_of_the_last_good_epoch_survives_divergence) {
    const test_support::TempDir dir;
    const auto checkpoint = dir.dir / "checkpoint.bin";
    XorNet net;
    initialize(net, Init::xavier_uniform, 3);
    auto optimizer = make_optimizer<XorNet>(for_all_layers(Adam{.learning_rate = 0.01}));
    auto trainer = make_trainer<SoftmaxCrossEntropy>(net, optimizer);
    Points data = separable_points(50, 4);
    FitOptions options = quiet(3);
    std::vector<std::size_t> saved;
    auto after_last_save = net.parameters();
    options.on_epoch_end.push_back([&](const EpochRecord& record) {
        save_weights(net, checkpoint);
        after_last_save = net.parameters();
        saved.push_back(record.epoch);
    });
    // Half-way through epoch 2 a sample turns NaN: training stops in the middle of the epoch.
    options.callbacks.push_back({25, [&](const TrainingEvent& event) {
        if (event.epoch == 2 && event.sample == 25)
            for (float& value : data.values) value = std::numeric_limits<float>::quiet_NaN();
    }});
    const std::string message = training_error_of([&] { trainer.fit(data, options); });
    BOOST_TEST(message.find("the loss became nan at epoch 2, sample 26 of 50") != std::string::npos, message);
    BOOST_TEST(saved == std::vector<std::size_t>{1}, boost::test_tools::per_element());

    XorNet restored;
    load_weights(restored, checkpoint);
    BOOST_TEST(std::memcmp(restored.parameters().data(), after_last_save.data(), XorNet::parameter_count * sizeof(float)) == 0);
    // ... and those are not the weights training stopped with, 25 updates later.
    BOOST_TEST(std::memcmp(net.parameters().data(), after_last_save.data(), XorNet::parameter_count * sizeof(float)) != 0);
}

BOOST_AUTO_TEST_CASE(epoch_end_hooks_run_in_order_after_validation_and_never_on_bad_weights) {
    NormNet net;
    initialize(net, Init::he_uniform, 3);
    auto optimizer = make_optimizer<NormNet>(for_all_layers(SGD{.learning_rate = 0.01}));
    auto trainer = make_trainer<SoftmaxCrossEntropy>(net, optimizer);
    const Points data = separable_points(50, 4);
    FitOptions options = quiet(3);
    options.check_weights_every = 0;  // only the scan at the end of each epoch
    std::vector<std::string> calls;
    options.on_epoch_end.push_back([&](const EpochRecord& r) {
        BOOST_TEST(r.validation_loss.has_value());
        calls.push_back(fmt::format("first {}", r.epoch));
    });
    options.on_epoch_end.push_back([&](const EpochRecord& r) { calls.push_back(fmt::format("second {}", r.epoch)); });
    options.callbacks.push_back({25, [&](const TrainingEvent& event) {
        if (event.epoch == 2 && event.sample == 25) net.parameters()[unread_statistic] = std::numeric_limits<float>::quiet_NaN();
    }});
    const std::string message = training_error_of([&] { trainer.fit(data, &data, options); });
    BOOST_TEST(message.find("became nan during epoch 2 (by sample 50 of 50)") != std::string::npos, message);
    BOOST_TEST(calls == (std::vector<std::string>{"first 1", "second 1"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_examples_say_where_the_last_good_weights_are_when_training_diverges) {
    // examples/support/mnist_run.hpp, as `mnist_seed --checkpoint FILE` runs it, on 2x2 images.
    using Net = Network<Input<1, 2, 2>, Flatten, Dense<3>>;
    const test_support::TempDir dir;
    examples::Settings settings;
    settings.checkpoint = dir.dir / "last-good.bin";
    MnistSplits data;
    data.train = Dataset{2, 2, {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}, {0, 1, 2, 0}};
    data.validation = data.train;
    Net net;
    initialize(net, Init::xavier_uniform, 1);
    auto optimizer = make_optimizer<Net>(for_all_layers(SGD{.learning_rate = 0.1}));
    auto trainer = make_trainer<SoftmaxCrossEntropy>(net, optimizer);
    FitOptions options = quiet(3);
    options.shuffle = false;
    // Sample 3 goes bad half-way through epoch 2.
    options.callbacks.push_back({2, [&](const TrainingEvent& event) {
        if (event.epoch == 2) data.train.pixels[13] = std::numeric_limits<float>::quiet_NaN();
    }});
    const std::string message = training_error_of([&] { examples::fit_mnist(trainer, data, settings, options); });
    BOOST_TEST(message.find("typenet: the loss became nan at epoch 2, sample 4 of 4") != std::string::npos, message);
    BOOST_TEST(message.find(fmt::format("\nThe weights after epoch 1, the last good one, are in {}.",
                                        settings.checkpoint.string())) != std::string::npos,
               message);
    BOOST_TEST(std::filesystem::exists(settings.checkpoint));
}

// === schedules ===============================================================================

BOOST_AUTO_TEST_CASE(schedules_match_hand_computation) {
    BOOST_TEST(Constant{}.learning_rate(0.1, 0) == 0.1);
    BOOST_TEST(Constant{}.learning_rate(0.1, 123456) == 0.1);

    const StepDecay halving{.rate = 0.5, .steps = 3};
    BOOST_TEST(halving.learning_rate(0.1, 0) == 0.1);
    BOOST_TEST(halving.learning_rate(0.1, 2) == 0.1);
    BOOST_TEST(halving.learning_rate(0.1, 3) == 0.05);
    BOOST_TEST(halving.learning_rate(0.1, 5) == 0.05);
    BOOST_TEST(halving.learning_rate(0.1, 6) == 0.025);
    BOOST_TEST((StepDecay{.rate = 0.5, .steps = 0}.learning_rate(0.1, 6)) == 0.1);

    const CosineDecay cosine{.steps = 4, .minimum = 0.01};
    BOOST_TEST(cosine.learning_rate(0.1, 0) == 0.1);
    BOOST_TEST(cosine.learning_rate(0.1, 1) == 0.01 + 0.09 * (1 + std::sqrt(0.5)) / 2, boost::test_tools::tolerance(1e-15));
    BOOST_TEST(cosine.learning_rate(0.1, 2) == 0.055, boost::test_tools::tolerance(1e-15));
    BOOST_TEST(cosine.learning_rate(0.1, 3) == 0.01 + 0.09 * (1 - std::sqrt(0.5)) / 2, boost::test_tools::tolerance(1e-15));
    BOOST_TEST(cosine.learning_rate(0.1, 4) == 0.01);
    BOOST_TEST(cosine.learning_rate(0.1, 1000) == 0.01);
    BOOST_TEST((CosineDecay{}.learning_rate(0.1, 7)) == 0.1);  // over 0 steps: the base rate
}

BOOST_AUTO_TEST_CASE(a_group_takes_its_rate_from_its_schedule) {
    // Cosine over 2 updates: 0.1, then 0.1 * (1 + cos(pi / 2)) / 2 = 0.05, then the minimum 0.
    UnitCase c;
    auto optimizer = make_optimizer<Unit>(for_all_layers(SGD{.learning_rate = 0.1}, CosineDecay{.steps = 2}));
    c.steps(optimizer, 3);
    double w = 0.5, b = 0.1;
    for (const double lr : {0.1, 0.05}) {
        const double dy = 2 * (2 * w + b - 1);
        w -= lr * dy * 2;
        b -= lr * dy;
    }
    BOOST_TEST(c.w() == w, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(c.b() == b, boost::test_tools::tolerance(1e-12));
}

// === Frozen groups ===========================================================================

namespace {

// 0 Conv2D, 1 ReLU, 2 Flatten, 3 Dense<6>, 4 Sigmoid, 5 Dense<2>.
using SmallNet = Network<Input<1, 6, 6>, Conv2D<2, Kernel<3>>, ReLU, Flatten, Dense<6>, Sigmoid, Dense<2>>;
constexpr std::size_t last_layer_offset = SmallNet::parameter_offsets[5];

Points small_images() {
    Points p;
    p.dims = 36;
    Random random(8);
    for (std::size_t i = 0; i < 12; ++i) {
        for (std::size_t v = 0; v < 36; ++v) p.values.push_back(float(random.uniform(0, 1)));
        p.classes.push_back(i % 2);
    }
    return p;
}

/// Trains a copy of `start` for two epochs at batch 4 with `optimizer`; returns the network.
template <class Opt>
std::unique_ptr<SmallNet> trained(const SmallNet& start, Opt optimizer) {
    auto net = std::make_unique<SmallNet>(start);
    auto trainer = make_trainer<SoftmaxCrossEntropy, 4>(*net, optimizer);
    FitOptions options = quiet(2);
    options.shuffle = false;
    trainer.fit(small_images(), options);
    return net;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_frozen_group_trains_nothing_and_the_rest_as_with_full_backward) {
    SmallNet start;
    initialize(start, Init::he_uniform, 5);
    const SGD sgd{.learning_rate = 0.5, .momentum = 0.9};
    using FineTune = decltype(make_optimizer<SmallNet>(layers<0, 5>(Frozen{}), layers<5, 6>(sgd)));
    static_assert(!FineTune::trains<0> && !FineTune::trains<3> && FineTune::trains<5> && !FineTune::trains<4>);
    static_assert(FineTune::first_trained_layer == 5);
    static_assert(FineTune::trained_layers == std::array{false, false, false, false, false, true});

    const auto frozen = trained(start, make_optimizer<SmallNet>(layers<0, 5>(Frozen{}), layers<5, 6>(sgd)));
    // The same, with a full backward pass: layers 0 to 4 are "trained" at rate 0, so they do not move.
    const auto full = trained(start, make_optimizer<SmallNet>(layers<0, 5>(SGD{.learning_rate = 0}), layers<5, 6>(sgd)));

    const auto bytes = [](const float* p, std::size_t n) { return std::vector<float>(p, p + n); };
    BOOST_TEST(bytes(frozen->parameters().data(), last_layer_offset) == bytes(start.parameters().data(), last_layer_offset),
               boost::test_tools::per_element());
    for (float g : frozen->gradients()) BOOST_TEST(g == 0.0f);
    BOOST_TEST(std::memcmp(frozen->parameters().data(), full->parameters().data(), sizeof(float) * SmallNet::parameter_count) == 0);
    BOOST_TEST(std::memcmp(frozen->parameters().data(), start.parameters().data(), sizeof(float) * SmallNet::parameter_count) != 0);
}

BOOST_AUTO_TEST_CASE(backward_for_a_frozen_prefix_leaves_its_gradients_unwritten) {
    SmallNet net;
    initialize(net, Init::he_uniform, 5);
    using FineTune = decltype(make_optimizer<SmallNet>(layers<0, 5>(Frozen{}), layers<5, 6>(SGD{})));
    SmallNet::input_tensor x;
    const Points images = small_images();
    std::copy_n(images.image(0).begin(), x.size(), x.begin());
    SmallNet::output_tensor dy;
    dy.fill(0.5f);
    constexpr float untouched = 7.0f;  // a value no backward pass writes

    net.gradients().fill(untouched);
    net.forward(x);
    net.backward<FineTune::trained_layers>(dy);
    std::size_t written = 0;
    for (std::size_t i = 0; i < SmallNet::parameter_count; ++i) written += net.gradients()[i] != untouched;
    BOOST_TEST(written == SmallNet::parameter_count - last_layer_offset);  // only the last layer's

    net.gradients().fill(untouched);
    net.backward(dy);  // the full pass writes every layer's
    written = 0;
    for (std::size_t i = 0; i < SmallNet::parameter_count; ++i) written += net.gradients()[i] != untouched;
    BOOST_TEST(written > SmallNet::parameter_count - last_layer_offset);
}

BOOST_AUTO_TEST_CASE(a_frozen_layer_between_trained_ones_keeps_its_parameters) {
    // Dense<6> (layer 3) frozen, the convolution below it and the last layer trained: backward
    // runs through layer 3 to reach layer 0.
    SmallNet start;
    initialize(start, Init::he_uniform, 6);
    const SGD sgd{.learning_rate = 0.2};
    const auto middle = trained(start, make_optimizer<SmallNet>(for_layers<"Conv2D">(sgd), layers<3, 4>(Frozen{}),
                                                                  layers<5, 6>(sgd)));
    const auto full = trained(start, make_optimizer<SmallNet>(for_layers<"Conv2D">(sgd), layers<3, 4>(SGD{.learning_rate = 0}),
                                                                layers<5, 6>(sgd)));
    BOOST_TEST(std::memcmp(middle->parameters().data(), full->parameters().data(), sizeof(float) * SmallNet::parameter_count) == 0);
    const std::size_t from = SmallNet::parameter_offsets[3], to = SmallNet::parameter_offsets[4];
    BOOST_TEST(std::memcmp(middle->parameters().data() + from, start.parameters().data() + from, sizeof(float) * (to - from)) == 0);
    BOOST_TEST(middle->parameters()[0] != start.parameters()[0]);  // the convolution did learn
    for (float g : middle->gradients()) BOOST_TEST(g == 0.0f);
}

// === callbacks ===============================================================================

BOOST_AUTO_TEST_CASE(several_callbacks_each_run_at_their_own_interval) {
    XorNet net;
    initialize(net, Init::xavier_uniform, 3);
    auto optimizer = make_optimizer<XorNet>(for_all_layers(Adam{.learning_rate = 0.01}));
    auto trainer = make_trainer<SoftmaxCrossEntropy, 4>(net, optimizer);
    FitOptions options = quiet(1);
    std::vector<std::string> calls;
    options.callbacks.push_back({10, [&](const TrainingEvent& e) { calls.push_back(fmt::format("a{}", e.sample)); }});
    options.callbacks.push_back({16, [&](const TrainingEvent& e) { calls.push_back(fmt::format("b{}", e.sample)); }});
    options.callbacks.push_back({0, [&](const TrainingEvent&) { calls.push_back("never"); }});
    trainer.fit(separable_points(40, 2), options);
    // Batches of 4 end at 4, 8, ..., 40: a callback runs after the batch that passes its interval.
    BOOST_TEST(calls == (std::vector<std::string>{"a12", "b16", "a20", "a32", "b32", "a40"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(preview_writer_attach_keeps_the_callbacks_already_there) {
    using Net = Network<Input<1, 6, 6>, Conv2D<2, Kernel<3>>, ReLU, Flatten, Dense<2>>;
    const test_support::TempDir dir;
    auto net = std::make_unique<Net>();
    initialize(*net, Init::he_uniform, 2);
    auto optimizer = make_optimizer<Net>(for_all_layers(SGD{}));
    auto trainer = make_trainer<SoftmaxCrossEntropy>(*net, optimizer);
    const Points images = small_images();
    FitOptions options = quiet(1);
    std::size_t mine = 0;
    options.callbacks.push_back({3, [&](const TrainingEvent&) { ++mine; }});
    PreviewWriter previews(*net, images, dir.dir, 0.5);
    previews.attach(options, images.size());
    trainer.fit(images, options);
    BOOST_TEST(mine == 4u);                       // 12 samples, every 3
    BOOST_TEST(previews.written().size() == 2u);  // every half epoch
}

namespace {
/// BatchNorm on two features, a Dropout that calibration must not apply, BatchNorm again.
using CalibratedNet = Network<Input<2>, BatchNorm, Dropout<std::ratio<1, 2>>, BatchNorm, Dense<2>>;
struct CalibrationCase {
    std::unique_ptr<CalibratedNet> net = std::make_unique<CalibratedNet>();
    decltype(make_optimizer<CalibratedNet>(for_all_layers(Adam{}))) optimizer{for_all_layers(Adam{})};
    Trainer<CalibratedNet, SoftmaxCrossEntropy, decltype(optimizer), 2> trainer{*net, optimizer};
    Points data;
    CalibrationCase() {
        initialize(*net, Init::xavier_uniform, 5);
        for (auto& v : net->layer_tensor<0, "running_mean">()) v = 100;  // what training left
        for (auto& v : net->layer_tensor<0, "running_var">()) v = 100;
        // Batches of two, two and one: {1, 3}, {2, 6}, {10} and {0, 4}, {2, -2}, {5}.
        data.add({1, 0}, 0);
        data.add({3, 4}, 1);
        data.add({2, 2}, 0);
        data.add({6, -2}, 1);
        data.add({10, 5}, 0);
    }
};
}  // namespace

BOOST_AUTO_TEST_CASE(recalibrate_averages_batch_statistics_over_the_whole_set) {
    CalibrationCase c;
    const auto before = c.net->parameters();
    c.trainer.recalibrate(c.data);
    // Means weighted by batch size: the plain means 22/5 and 9/5. Unbiased batch variances 2, 8, 0
    // and 8, 8, 0, weighted the same way: 20/5 and 32/5.
    const std::vector<float> mean(c.net->layer_tensor<0, "running_mean">().begin(), c.net->layer_tensor<0, "running_mean">().end());
    const std::vector<float> var(c.net->layer_tensor<0, "running_var">().begin(), c.net->layer_tensor<0, "running_var">().end());
    BOOST_TEST(mean == (std::vector<float>{4.4f, 1.8f}), boost::test_tools::tolerance(1e-6f) << boost::test_tools::per_element());
    BOOST_TEST(var == (std::vector<float>{4.0f, 6.4f}), boost::test_tools::tolerance(1e-6f) << boost::test_tools::per_element());
    // The second BatchNorm sees batch-normalised values, not dropped ones: means 0, and unbiased
    // variances of about 2 on each batch of two (0 on the batch of one).
    for (float m : c.net->layer_tensor<2, "running_mean">()) BOOST_TEST(std::abs(m) < 1e-6f);
    for (float v : c.net->layer_tensor<2, "running_var">()) BOOST_TEST(v == 1.6f, boost::test_tools::tolerance(1e-4f));
    // Only the state changed: trainable tensors, gradients and the optimizer did not.
    for (std::size_t i = 0; i < before.size(); ++i) {
        const bool state = (i >= 4 && i < 8) || (i >= 12 && i < 16);
        if (!state) BOOST_TEST(c.net->parameters()[i] == before[i], "parameter " << i);
    }
    for (float g : c.net->gradients()) BOOST_TEST(g == 0.0f);
    BOOST_TEST(c.optimizer.steps() == 0u);
}

BOOST_AUTO_TEST_CASE(recalibrate_gives_the_same_bits_on_two_threads) {
    CalibrationCase one, two;
    two.trainer.use_threads(2);
    one.trainer.recalibrate(one.data);
    two.trainer.recalibrate(two.data);
    BOOST_TEST(std::memcmp(one.net->parameters().data(), two.net->parameters().data(),
                           CalibratedNet::parameter_count * sizeof(float)) == 0);
}

BOOST_AUTO_TEST_CASE(recalibrate_checks_every_sample_before_any_work) {
    CalibrationCase c;
    const auto before = c.net->parameters();
    c.data.classes[3] = 7;
    BOOST_TEST(training_error_of([&] { c.trainer.recalibrate(c.data); }) ==
               "typenet: recalibrate: sample 3 has label 7, but the network has 2 outputs");
    BOOST_TEST(training_error_of([&] { c.trainer.recalibrate(Points{}); }) ==
               "typenet: recalibrate: no samples to take statistics over");
    BOOST_TEST(std::memcmp(before.data(), c.net->parameters().data(), CalibratedNet::parameter_count * sizeof(float)) == 0);
}
