// A user-written update rule (RMSProp) in a few lines: trains, matches a hand-computed step; the contracts' concepts.
#define BOOST_TEST_MODULE update_rule
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstddef>
#include <span>

#include <typenet/train/trainer.hpp>
#include <typenet/typenet.hpp>

#include "../support/points.hpp"

// --- what a user writes: one header ----------------------------------------------------------

/// RMSProp (Hinton): divides each gradient by a running root mean square of its recent values.
struct RMSProp {
    static constexpr std::size_t state_tensors = 1;  // the running mean of g^2

    double learning_rate = 0.01;
    double alpha = 0.99;
    double epsilon = 1e-8;
    double weight_decay = 0.0;  // applied by the group, like every rule's

    /// The update at `rate` (from the group's schedule); the group has already averaged the
    /// gradient over the batch and added the weight decay, and clears it afterwards.
    template <class T>
    auto update(double rate, std::size_t /*step*/) const {
        return [rate = T(rate), alpha = T(alpha), epsilon = T(epsilon)](T& w, T g, T& mean_square) {
            mean_square = alpha * mean_square + (T{1} - alpha) * g * g;
            w -= rate * g / (std::sqrt(mean_square) + epsilon);
        };
    }
};

// ----------------------------------------------------------------------------------------------

using namespace typenet;

namespace {

using test_support::Points;
using test_support::quiet;

/// Points on either side of the line x = y, a little away from it.
Points diagonal_points() {
    Points p;
    for (int i = 0; i < 40; ++i) {
        const float x = float(i % 8) / 4 - 1, y = float(i / 8) / 2 - 1, side = x > y ? 0.3f : -0.3f;
        p.add({x + side, y - side}, x > y ? 1 : 0);
    }
    return p;
}

/// Not a rule: no update.
struct NoUpdate {
    static constexpr std::size_t state_tensors = 1;
    double learning_rate = 0.1;
};
/// Not a rule: its update takes one state value, but it declares two state tensors.
struct WrongStateCount : RMSProp {
    static constexpr std::size_t state_tensors = 2;
};
/// Not a schedule: a rate that does not depend on the base rate and step.
struct Fixed {
    double learning_rate() const { return 0.1; }
};

}  // namespace

static_assert(UpdateRule<RMSProp> && UpdateRule<SGD> && UpdateRule<Adam>);
static_assert(!UpdateRule<NoUpdate> && !UpdateRule<WrongStateCount> && !UpdateRule<Frozen>);
static_assert(GroupRule<Frozen> && GroupRule<RMSProp> && !GroupRule<NoUpdate>);
static_assert(Schedule<Constant> && Schedule<ExponentialDecay> && Schedule<StepDecay> && Schedule<CosineDecay>);
static_assert(!Schedule<Fixed> && !Schedule<RMSProp>);
static_assert(Loss<MeanSquaredError, Tensor<Shape<10>>> && Loss<SoftmaxCrossEntropy, Tensor<Shape<3>, double>>);
static_assert(!Loss<RMSProp, Tensor<Shape<10>>>);
static_assert(SampleSource<Points> && !SampleSource<RMSProp>);

BOOST_AUTO_TEST_CASE(a_user_written_rule_learns) {
    using Net = Network<Input<2>, Dense<8>, Tanh, Dense<2>>;
    Net net;
    initialize(net, Init::xavier_uniform, 4);
    auto optimizer = make_optimizer<Net>(for_all_layers(RMSProp{.learning_rate = 0.01}, CosineDecay{.steps = 400}));
    auto trainer = make_trainer<SoftmaxCrossEntropy, 4>(net, optimizer);
    const Points data = diagonal_points();
    const double before = trainer.evaluate(data).loss;
    trainer.fit(data, quiet(40));
    const Evaluation after = trainer.evaluate(data);
    BOOST_TEST(after.accuracy == 1.0);
    BOOST_TEST(after.loss < before / 4);
}

BOOST_AUTO_TEST_CASE(a_user_written_rule_gets_the_mean_decayed_gradient) {
    // One Dense<1> unit, w = 0.5, b = 0.1, two samples x = 2 and x = 1, MSE against 1:
    // y = 1.1 and 0.6, dL/dy = 0.2 and -0.8, so the batch means are dL/dw = (0.4 - 0.8) / 2 = -0.2
    // and dL/db = (0.2 - 0.8) / 2 = -0.3; weight decay 0.1 adds 0.05 and 0.01.
    using Unit = Network<Input<1>, Dense<1>>::with_scalar<double>;
    Unit net;
    net.parameters()[0] = 0.5;
    net.parameters()[1] = 0.1;
    Points two;
    two.values = {2, 0, 1, 0};  // Points holds pairs; Input<1> reads the first of each
    two.classes = {0, 0};
    struct FirstOfPair {
        const Points& points;
        std::size_t size() const { return points.size(); }
        std::span<const float> image(std::size_t i) const { return points.image(i).first(1); }
        std::size_t label(std::size_t i) const { return points.label(i); }
    } ones{two};
    auto optimizer = make_optimizer<Unit>(
        for_all_layers(RMSProp{.learning_rate = 0.01, .weight_decay = 0.1}, StepDecay{.rate = 0.5, .steps = 1}));
    auto trainer = make_trainer<MeanSquaredError, 2>(net, optimizer);
    const std::array<std::size_t, 2> both{0, 1};
    trainer.step(ones, both);

    const double gw = -0.2 + 0.1 * 0.5, gb = -0.3 + 0.1 * 0.1;
    const double sw = 0.01 * gw * gw, sb = 0.01 * gb * gb;
    BOOST_TEST(net.parameters()[0] == 0.5 - 0.01 * gw / (std::sqrt(sw) + 1e-8), boost::test_tools::tolerance(1e-12));
    BOOST_TEST(net.parameters()[1] == 0.1 - 0.01 * gb / (std::sqrt(sb) + 1e-8), boost::test_tools::tolerance(1e-12));
    BOOST_TEST(net.gradients()[0] == 0.0);  // cleared by the group
    BOOST_TEST(net.gradients()[1] == 0.0);

    // Step 2 runs at half the rate (StepDecay every update): from the new point, by hand again.
    const double w1 = net.parameters()[0], b1 = net.parameters()[1];
    trainer.step(ones, both);
    const double dy0 = 2 * (2 * w1 + b1 - 1), dy1 = 2 * (w1 + b1 - 1);
    const double gw2 = (2 * dy0 + dy1) / 2 + 0.1 * w1, gb2 = (dy0 + dy1) / 2 + 0.1 * b1;
    const double sw2 = 0.99 * sw + 0.01 * gw2 * gw2, sb2 = 0.99 * sb + 0.01 * gb2 * gb2;
    BOOST_TEST(net.parameters()[0] == w1 - 0.005 * gw2 / (std::sqrt(sw2) + 1e-8), boost::test_tools::tolerance(1e-12));
    BOOST_TEST(net.parameters()[1] == b1 - 0.005 * gb2 / (std::sqrt(sb2) + 1e-8), boost::test_tools::tolerance(1e-12));
}
