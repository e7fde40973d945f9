// Trainer, losses and optimizers: learning, hand-computed updates, determinism, NaN handling.
#define BOOST_TEST_MODULE training
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <typenet/train/trainer.hpp>
#include <typenet/typenet.hpp>

using namespace typenet;

namespace {

/// Points in `dims` dimensions with their class; what every test here trains on.
struct Points {
    std::size_t dims = 2;
    std::vector<float> values;
    std::vector<std::size_t> classes;

    std::size_t size() const { return classes.size(); }
    std::span<const float> image(std::size_t i) const { return {values.data() + i * dims, dims}; }
    std::size_t label(std::size_t i) const { return classes[i]; }
    void add(std::initializer_list<float> point, std::size_t label) {
        values.insert(values.end(), point);
        classes.push_back(label);
    }
};

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

FitOptions quiet(std::size_t epochs) {
    FitOptions options;
    options.epochs = epochs;
    options.progress = ProgressStyle::none;
    return options;
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

BOOST_AUTO_TEST_CASE(sgd_momentum_and_weight_decay_match_hand_computation) {
    UnitCase c;
    auto optimizer =
        make_optimizer<Unit>(for_all_layers(SGD{.learning_rate = 0.1, .momentum = 0.9, .weight_decay = 0.01}));
    c.steps(optimizer, 2);
    // step 1: g = (0.4 + 0.01 * 0.5, 0.2 + 0.01 * 0.1); v = g; p -= 0.1 v
    double w = 0.5, b = 0.1;
    double vw = 0.4 + 0.01 * w, vb = 0.2 + 0.01 * b;
    w -= 0.1 * vw;
    b -= 0.1 * vb;
    // step 2 at the new point: y = 2w + b, dL/dy = 2 (y - 1)
    const double dy = 2 * (2 * w + b - 1);
    vw = 0.9 * vw + dy * 2 + 0.01 * w;
    vb = 0.9 * vb + dy + 0.01 * b;
    w -= 0.1 * vw;
    b -= 0.1 * vb;
    BOOST_TEST(c.w() == w, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(c.b() == b, boost::test_tools::tolerance(1e-12));
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
    BOOST_TEST(decay(0.1, 0) == 0.1);
    BOOST_TEST(decay(0.1, 10) == 0.05, boost::test_tools::tolerance(1e-15));
    BOOST_TEST(decay(0.1, 5) == 0.1 * std::sqrt(0.5), boost::test_tools::tolerance(1e-15));
    UnitCase c;
    auto optimizer = make_optimizer<Unit>(for_all_layers(SGD{.learning_rate = 0.1, .decay = {0.5, 1}}));
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
    BOOST_TEST(std::memcmp(first.data(), second.data(), sizeof(first)) == 0);
    BOOST_TEST(std::memcmp(first.data(), other.data(), sizeof(first)) != 0);
}

BOOST_AUTO_TEST_CASE(nan_in_an_input_stops_training_naming_epoch_and_sample) {
    XorNet net;
    initialize(net, Init::xavier_uniform, 3);
    auto optimizer = make_optimizer<XorNet>(for_all_layers(Adam{}));
    auto trainer = make_trainer<SoftmaxCrossEntropy>(net, optimizer);
    Points data = separable_points(50, 4);
    data.values[2 * 37 + 1] = std::numeric_limits<float>::quiet_NaN();  // sample 37
    FitOptions options = quiet(2);
    options.shuffle = false;
    try {
        trainer.fit(data, &data, options);
        BOOST_FAIL("training went on past a NaN input");
    } catch (const training_error& e) {
        const std::string message = e.what();
        BOOST_TEST_MESSAGE(message);
        BOOST_TEST(message.find("nan") != std::string::npos);
        BOOST_TEST(message.find("epoch 1") != std::string::npos);
        BOOST_TEST(message.find("sample 38 of 50") != std::string::npos);  // 1-based position
        BOOST_TEST(message.find("index 37") != std::string::npos);
        BOOST_TEST(e.history.epochs.empty());
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
        return std::string(e.what()).find("samples have 3 values, but the network's input needs 2") != std::string::npos;
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
    options.callback_every = 25;
    std::vector<std::size_t> calls;
    options.callback = [&](const TrainingEvent& event) { calls.push_back(event.epoch * 1000 + event.sample); };
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
