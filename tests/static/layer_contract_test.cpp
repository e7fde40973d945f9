// The layer contract (layers/layer.hpp): which types pass its concepts, and the typed parameter lists of today's layers.
#include <array>
#include <cstddef>
#include <string_view>

#include <typenet/typenet.hpp>

#include "../../examples/user_layer/scale.hpp"

namespace layer_contract_test {

using namespace typenet;

// --- descriptions ----------------------------------------------------------------------------

static_assert(LayerDescription<Conv2D<8, Kernel<3>>>);
static_assert(LayerDescription<Dense<10>>);
static_assert(LayerDescription<MaxPool<2>> && LayerDescription<AvgPool<3, 2>>);
static_assert(LayerDescription<Flatten>);
static_assert(LayerDescription<LeakyReLU<>> && LayerDescription<ReLU> && LayerDescription<Sigmoid> &&
              LayerDescription<Tanh> && LayerDescription<Softmax>);
static_assert(LayerDescription<Scale<4>>);

static_assert(!LayerDescription<int>);
static_assert(!LayerDescription<Shape<3>>);

struct Nameless {
    static constexpr std::array<LayerSetting, 0> settings{};
    static constexpr LayerResult propagate(ShapeValue in) { return accept(in); }
    template <class In, class T>
    struct bound {};
};
struct WithoutSettings {
    static constexpr std::string_view kind = "WithoutSettings";
    static constexpr LayerResult propagate(ShapeValue in) { return accept(in); }
    template <class In, class T>
    struct bound {};
};
struct WithoutPropagate {
    static constexpr std::string_view kind = "WithoutPropagate";
    static constexpr std::array<LayerSetting, 0> settings{};
    template <class In, class T>
    struct bound {};
};
struct PropagateReturnsAShape {
    static constexpr std::string_view kind = "PropagateReturnsAShape";
    static constexpr std::array<LayerSetting, 0> settings{};
    static constexpr ShapeValue propagate(ShapeValue in) { return in; }
    template <class In, class T>
    struct bound {};
};
struct Unbindable {
    static constexpr std::string_view kind = "Unbindable";
    static constexpr std::array<LayerSetting, 0> settings{};
    static constexpr LayerResult propagate(ShapeValue in) { return accept(in); }
};

static_assert(!NamedLayer<Nameless> && !LayerDescription<Nameless>);
static_assert(NamedLayer<WithoutSettings> && !ConfiguredLayer<WithoutSettings>);
static_assert(!ShapePropagating<WithoutPropagate> && !LayerDescription<WithoutPropagate>);
static_assert(!ShapePropagating<PropagateReturnsAShape>);
static_assert(ShapePropagating<Unbindable> && !Bindable<Unbindable> && !LayerDescription<Unbindable>);

// --- bound layers ----------------------------------------------------------------------------

using BoundConv = Conv2D<8, Kernel<3>, Stride<2>>::bound<Shape<1, 28, 28>, float>;
using BoundDense = Dense<10>::bound<Shape<72>, double>;
static_assert(BoundLayer<BoundConv, float>);
static_assert(BoundLayer<BoundDense, double>);
static_assert(BoundLayer<MaxPool<2>::bound<Shape<2, 6, 6>, float>, float>);
static_assert(BoundLayer<Flatten::bound<Shape<2, 6, 6>, float>, float>);
static_assert(BoundLayer<Softmax::bound<Shape<10>, float>, float>);
static_assert(BoundLayer<Scale<4>::bound<Shape<4, 5, 5>, float>, float>);
static_assert(!BoundLayer<int, float>);
static_assert(!BoundLayer<Nameless::bound<Shape<1>, float>, float>);

static_assert(scratch_size_of<BoundConv> == 1 * 3 * 3 * 13 * 13);  // the column matrix: taps x positions
static_assert(scratch_size_of<BoundDense> == 0);

/// Forward without backward: not a bound layer.
struct ForwardOnly {
    using input_shape = Shape<4>;
    using output_shape = Shape<4>;
    using parameters = ParameterList<>;
    static void forward(const float*, TensorView<Shape<4>, const float>, TensorView<Shape<4>, float>) {}
};
static_assert(ShapedLayer<ForwardOnly> && ParameterizedLayer<ForwardOnly> && ForwardLayer<ForwardOnly, float>);
static_assert(!BackwardLayer<ForwardOnly, float> && !BoundLayer<ForwardOnly, float>);

/// Parameters as a plain count, as before the contract: not a parameter list.
struct CountedParameters {
    using input_shape = Shape<4>;
    using output_shape = Shape<4>;
    static constexpr std::size_t parameters = 8;
};
static_assert(!ParameterizedLayer<CountedParameters>);

// --- Conv2D's parameter list, by hand ----------------------------------------------------------

using ConvList = BoundConv::parameters;
static_assert(ParameterTensorList<ConvList>);
static_assert(ConvList::tensor_count == 2);
static_assert(ConvList::size == 8 * 1 * 3 * 3 + 8);
static_assert(ConvList::tensor<0>::shape{} == Shape<8, 1, 3, 3>{});
static_assert(ConvList::tensor<1>::shape{} == Shape<8>{});
constexpr ParameterInfo conv_weight = ConvList::tensors[0], conv_bias = ConvList::tensors[1];
static_assert(conv_weight.name == "weight" && conv_weight.offset == 0 && conv_weight.size == 72);
static_assert(conv_weight.shape.rank == 4 && conv_weight.shape.dims == std::array<std::size_t, 4>{8, 1, 3, 3});
static_assert(conv_weight.fan_in == 1 * 3 * 3 && conv_weight.fan_out == 8 * 3 * 3);
static_assert(conv_weight.init == InitRule::fan_scaled && conv_weight.role == Role::trained && conv_weight.decays());
static_assert(conv_bias.name == "bias" && conv_bias.offset == 72 && conv_bias.size == 8);
static_assert(conv_bias.init == InitRule::zeros && conv_bias.role == Role::trained && !conv_bias.decays());
static_assert(ConvList::index("bias") == 1 && ConvList::offset("bias") == 72);
// The fans the layer published before the contract, which initialisation used, are unchanged.
static_assert(BoundConv::fan_in == conv_weight.fan_in && BoundConv::fan_out == conv_weight.fan_out);

// --- Dense's parameter list, by hand -----------------------------------------------------------

using DenseList = BoundDense::parameters;
static_assert(DenseList::tensor_count == 2 && DenseList::size == 10 * 72 + 10);
constexpr ParameterInfo dense_weight = DenseList::tensors[0], dense_bias = DenseList::tensors[1];
static_assert(dense_weight.name == "weight" && dense_weight.offset == 0 && dense_weight.size == 720);
static_assert(dense_weight.shape.rank == 2 && dense_weight.shape.dims == std::array<std::size_t, 4>{10, 72});
static_assert(dense_weight.fan_in == 72 && dense_weight.fan_out == 10 && dense_weight.decays());
static_assert(dense_bias.name == "bias" && dense_bias.offset == 720 && dense_bias.size == 10 && !dense_bias.decays());

// --- parameter-free layers and the user's Scale ------------------------------------------------

static_assert(MaxPool<2>::bound<Shape<2, 6, 6>, float>::parameters::tensor_count == 0);
static_assert(Sigmoid::bound<Shape<10>, float>::parameters::size == 0);

using ScaleList = Scale<4>::bound<Shape<4, 5, 5>, float>::parameters;
static_assert(ScaleList::size == 8 && ScaleList::offset("shift") == 4);
static_assert(ScaleList::tensors[0].init == InitRule::ones && ScaleList::tensors[1].init == InitRule::zeros);
static_assert(!ScaleList::tensors[0].decays() && !ScaleList::tensors[1].decays());

/// A state tensor: saved, never trained, never decayed (the default for state).
using RunningMean = ParameterTensor<"running_mean", Shape<4>, InitRule::zeros, Role::state>;
static_assert(RunningMean::info.role == Role::state && RunningMean::info.weight_decay == WeightDecay::exempt);
static_assert(ParameterList<ParameterTensor<"scale", Shape<4>, InitRule::ones>, RunningMean>::tensors[1].offset == 4);

// --- the network's view ------------------------------------------------------------------------

using SeedNet = Network<Input<1, 28, 28>, Conv2D<8, Kernel<3>, Stride<2>>, LeakyReLU<>, Conv2D<2, Kernel<3>, Stride<2>>,
                        LeakyReLU<>, Flatten, Dense<72>, Sigmoid, Dense<10>, Sigmoid>;
static_assert(SeedNet::parameter_tensors.size() == 8);
static_assert(SeedNet::layer_tensors<0>.size() == 2 && SeedNet::layer_tensors<1>.size() == 0);
static_assert(SeedNet::layer_tensors<2>[1].offset == 2 * 8 * 9);  // within the layer
constexpr std::array<std::size_t, 8> seed_layers{0, 0, 2, 2, 5, 5, 7, 7};
constexpr std::array<std::size_t, 8> seed_offsets{0, 72, 80, 80 + 144, 226, 226 + 5184, 5482, 5482 + 720};
constexpr bool seed_tensors_as_computed = [] {
    for (std::size_t k = 0; k < 8; ++k)
        if (SeedNet::parameter_tensors[k].layer != seed_layers[k] ||
            SeedNet::parameter_tensors[k].offset != seed_offsets[k] ||
            SeedNet::parameter_tensors[k].decays() != (k % 2 == 0))
            return false;
    return true;
}();
static_assert(seed_tensors_as_computed);
static_assert(SeedNet::parameter_tensors[7].offset + SeedNet::parameter_tensors[7].size == SeedNet::parameter_count);

using WithScale = Network<Input<2, 6, 6>, Conv2D<4, Kernel<3>>, Scale<4>, ReLU, Flatten, Dense<3>, Scale<3>>;
static_assert(WithScale::parameter_count == (4 * 2 * 9 + 4) + 8 + (3 * 64 + 3) + 6);
static_assert(WithScale::layer_parameter_count<1> == 8 && WithScale::parameter_offsets[2] == 76 + 8);
static_assert(WithScale::parameter_tensors[2].name == "scale" && WithScale::parameter_tensors[2].layer == 1);

}  // namespace layer_contract_test
