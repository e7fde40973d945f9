// Optimizer<Net, Groups...>: one update rule and schedule per group of layers, chosen by kind or index.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/hana/at.hpp>
#include <boost/hana/basic_tuple.hpp>

#include <typenet/layers/layer.hpp>
#include <typenet/optim/schedule.hpp>
#include <typenet/optim/update_rule.hpp>
#include <typenet/parallel.hpp>
#include <typenet/tensor.hpp>

namespace typenet {

/// A string usable as a template argument: `for_layers<"Conv2D">`.
template <std::size_t N>
struct LayerKind {
    char chars[N]{};
    constexpr LayerKind(const char (&text)[N]) { std::copy_n(text, N, chars); }
    constexpr std::string_view view() const { return {chars, N - 1}; }
};

namespace detail {

/// A layer kind spelt out character by character: every compiler prints these readably in a
/// diagnostic (Clang prints a LayerKind argument as a list of character codes).
template <char... Chars>
struct kind {
    static constexpr std::array<char, sizeof...(Chars)> text{Chars...};
    static constexpr std::string_view view() { return {text.data(), text.size()}; }
};

/// Group selectors, as types so that diagnostics name them: layers of some kinds, layers
/// [From, To) by index, or every layer.
template <class... Kinds>
struct kinds {
    static constexpr bool covers(std::size_t, std::string_view kind) { return ((Kinds::view() == kind) || ...); }
    static constexpr std::size_t end = 0;
};
template <std::size_t From, std::size_t To>
struct layer_indices {
    static constexpr bool covers(std::size_t index, std::string_view) { return From <= index && index < To; }
    static constexpr std::size_t end = To;
};
struct all_layers {
    static constexpr bool covers(std::size_t, std::string_view) { return true; }
    static constexpr std::size_t end = 0;
};

template <LayerKind Kind, std::size_t... I>
kind<Kind.chars[I]...> spell_out(std::index_sequence<I...>);
template <LayerKind Kind>
using spelled = decltype(spell_out<Kind>(std::make_index_sequence<Kind.view().size()>{}));

}  // namespace detail

/// Which of a group's trained tensors its rule's weight decay pulls toward zero (state tensors,
/// such as running statistics, never: no group updates them).
enum class DecayScope {
    every_tensor,  ///< weights, biases and BatchNorm's scales alike, as PyTorch's optimizers by default
    declared,      ///< only tensors declaring WeightDecay::applies: weights, not biases or scales
};

/// An update rule with its schedule and decay scope, and the layers they train (see
/// for_layers, layers, for_all_layers).
template <GroupRule Rule, Schedule LearningRate, class Selector>
struct LayerGroup {
    Rule rule;
    // Not [[no_unique_address]]: GCC then warns on Arm that the group's calling convention
    // changed in GCC 10.1; the byte it saves would be padding before the state tensors anyway.
    LearningRate schedule;
    DecayScope decay_scope = DecayScope::every_tensor;
    using selector = Selector;
};

/// Trains the layers of the given kinds with `rule`, at rates from `schedule`:
/// `for_layers<"Conv2D">(SGD{.learning_rate = 0.01})`,
/// `for_layers<"Dense">(Adam{.learning_rate = 1e-3}, CosineDecay{.steps = 10000})`.
template <LayerKind... Kinds, GroupRule Rule, Schedule LearningRate = Constant>
constexpr auto for_layers(Rule rule, LearningRate schedule = {}, DecayScope decay_scope = DecayScope::every_tensor) {
    static_assert(sizeof...(Kinds) > 0, "typenet: for_layers<\"Kind\", ...> needs at least one layer kind; "
                                        "use for_all_layers(rule) for every layer");
    return LayerGroup<Rule, LearningRate, detail::kinds<detail::spelled<Kinds>...>>{rule, schedule, decay_scope};
}

/// Trains layers From to To - 1 (indices as in summary(), from 0) with `rule`:
/// `layers<0, 7>(Frozen{})`, `layers<7, 9>(SGD{.learning_rate = 0.1})`.
template <std::size_t From, std::size_t To, GroupRule Rule, Schedule LearningRate = Constant>
constexpr auto layers(Rule rule, LearningRate schedule = {}, DecayScope decay_scope = DecayScope::every_tensor) {
    static_assert(From < To, "typenet: layers<From, To> selects layers From to To - 1 and needs From < To");
    return LayerGroup<Rule, LearningRate, detail::layer_indices<From, To>>{rule, schedule, decay_scope};
}

/// Trains every layer with `rule`: `for_all_layers(Adam{.weight_decay = 1e-4}, CosineDecay{.steps = n},
/// DecayScope::declared)` spares biases and BatchNorm's scales from the decay.
template <GroupRule Rule, Schedule LearningRate = Constant>
constexpr auto for_all_layers(Rule rule, LearningRate schedule = {}, DecayScope decay_scope = DecayScope::every_tensor) {
    return LayerGroup<Rule, LearningRate, detail::all_layers>{rule, schedule, decay_scope};
}

namespace detail {

/// Fails for a layer with parameters that no group, or more than one group, trains (Frozen
/// counts: freezing a layer is choosing what happens to it).
template <std::size_t Index, class Layer, std::size_t MatchingGroups>
struct optimizer_coverage_check {
    static_assert(MatchingGroups > 0, "typenet: this layer has parameters but no optimizer group trains it "
                                      "(add its kind to a for_layers<...> group)");
    static_assert(MatchingGroups < 2, "typenet: more than one optimizer group trains this layer");
    static constexpr bool ok = MatchingGroups == 1;
};

/// Fails for a group that trains no layer: no layer with parameters has one of its kinds (a
/// misspelt kind, or a kind the network does not contain) or index. The group's position among
/// the make_optimizer arguments (from 0) and its selector are arguments, so the compiler names them.
template <std::size_t GroupIndex, class Selector, std::size_t TrainedLayers>
struct optimizer_group_check {
    static_assert(TrainedLayers > 0, "typenet: this optimizer group trains no layer: no layer with parameters "
                                     "has one of its kinds (see Selector; they are spelt as in summary(), e.g. "
                                     "\"Conv2D\", \"Dense\") or indices");
    static constexpr bool ok = TrainedLayers > 0;
};

/// Fails for a `layers<From, To>` group that reaches past the network's last layer.
template <std::size_t GroupIndex, class Selector, std::size_t LayerCount>
struct optimizer_range_check {
    static_assert(Selector::end <= LayerCount, "typenet: this optimizer group's layers<From, To> reaches past the "
                                               "network's last layer (To is one past the last index it selects)");
};

/// Whether `Group` trains parameter tensor K of `Net` (its `Net::parameter_tensors[K]`): a trained
/// tensor of a layer the group selects, by the index of the network layer holding it or by the
/// kind of the layer declaring it (inside blocks too). State tensors belong to no group.
template <class Net, class Group, std::size_t K>
inline constexpr bool group_owns = Net::parameter_tensors[K].role == Role::trained &&
                                   Group::selector::covers(Net::parameter_tensors[K].layer, Net::parameter_tensors[K].kind);

template <class Net>
inline constexpr std::size_t tensor_count_of = Net::parameter_tensors.size();

/// How many parameter tensors `Group` trains.
template <class Net, class Group>
inline constexpr std::size_t tensors_trained_by = []<std::size_t... K>(std::index_sequence<K...>) {
    return (std::size_t{group_owns<Net, Group, K>} + ... + 0);
}(std::make_index_sequence<tensor_count_of<Net>>{});

/// One check per group, as base classes (see optimizer_coverage).
template <class Net, class GroupIndices, class... Groups>
struct optimizer_groups_used;
template <class Net, std::size_t... G, class... Groups>
struct optimizer_groups_used<Net, std::index_sequence<G...>, Groups...>
    : optimizer_range_check<G, typename Groups::selector, Net::layer_count>...,
      optimizer_group_check<G, typename Groups::selector, tensors_trained_by<Net, Groups>>... {};

/// One group bound to a network: its rule and schedule, and the rule's state for the tensors it
/// owns. Does, for every rule, the work around the rule's update: the batch mean, L2 weight
/// decay (on the tensors its DecayScope takes), the learning rate of the step, and clearing
/// each gradient it has consumed.
template <class Net, class Group>
struct BoundGroup {
    using T = typename Net::scalar_type;
    using Rule = decltype(Group::rule);
    static constexpr std::size_t K = tensor_count_of<Net>;

    /// Offsets of each owned tensor's state within the group's state tensors.
    static constexpr std::array<std::size_t, K + 1> state_offsets = []<std::size_t... k>(std::index_sequence<k...>) {
        std::array<std::size_t, K + 1> offsets{};
        const std::array<std::size_t, K> sizes{(group_owns<Net, Group, k> ? Net::parameter_tensors[k].size : 0)...};
        for (std::size_t i = 0; i < K; ++i) offsets[i + 1] = offsets[i] + sizes[i];
        return offsets;
    }(std::make_index_sequence<K>{});
    static constexpr std::size_t state_size = state_offsets[K];

    Group group;
    std::array<Tensor<Shape<state_size>, T>, Rule::state_tensors> state{};

    /// Updates the parameters with flat indices in [first, last) that the group owns: a rule
    /// updates each parameter on its own, so threads can share a step by ranges, to the same bits.
    void step(Net& net, std::size_t step, T gradient_scale, std::size_t first, std::size_t last) {
        const double rate = group.schedule.learning_rate(group.rule.learning_rate, step);
        const auto update = group.rule.template update<T>(rate, step);
        const T weight_decay = T(detail::weight_decay_of(group.rule));
        [&]<std::size_t... k>(std::index_sequence<k...>) {
            (update_tensor<k>(net, update, gradient_scale, weight_decay, first, last), ...);
        }(std::make_index_sequence<K>{});
    }

private:
    // `update` by value: a local copy cannot alias the parameters, so its constants stay in registers.
    // Flattened: a rule's update must be inlined into the sweep to vectorise, and GCC stopped
    // inlining Adam's once a program trained three networks with it (one closure type, many
    // callers): the seed network trained at 36,000 samples/s instead of 100,000.
    template <std::size_t k, class Update>
    [[gnu::flatten]] void update_tensor(Net& net, Update update, T gradient_scale, T weight_decay, std::size_t first,
                                        std::size_t last) {
        if constexpr (group_owns<Net, Group, k>) {
            constexpr ParameterInfo tensor = Net::parameter_tensors[k];
            const std::size_t begin = std::clamp(first, tensor.offset, tensor.offset + tensor.size) - tensor.offset;
            const std::size_t end = std::clamp(last, tensor.offset, tensor.offset + tensor.size) - tensor.offset;
            T* w = net.parameters().data() + tensor.offset;
            T* g = net.gradients().data() + tensor.offset;
            const bool decays = group.decay_scope == DecayScope::every_tensor || tensor.decays();
            const T decay = decays ? weight_decay : T{};
            [&]<std::size_t... S>(std::index_sequence<S...>) {
                const std::array<T*, sizeof...(S)> slices{(state[S].data() + state_offsets[k])...};
                for (std::size_t i = begin; i < end; ++i) {
                    update(w[i], g[i] * gradient_scale + decay * w[i], slices[S][i]...);
                    g[i] = T{};  // while it is in cache: the next batch starts from zero
                }
            }(std::make_index_sequence<Rule::state_tensors>{});
        }
    }
};

/// A Frozen group: nothing to keep, nothing to do (the trainer's backward leaves its layers'
/// gradients unwritten).
template <class Net, class LearningRate, class Selector>
struct BoundGroup<Net, LayerGroup<Frozen, LearningRate, Selector>> {
    constexpr explicit BoundGroup(const LayerGroup<Frozen, LearningRate, Selector>&) {}
    void step(Net&, std::size_t, typename Net::scalar_type, std::size_t, std::size_t) {}
};

/// A layer inside a block, as coverage errors name it: the network layer holding it and its kind.
template <class Layer, class InnerKind>
struct layer_inside {};

template <class Net, std::size_t K, std::size_t... C>
auto layer_of_tensor(std::index_sequence<C...>) {
    using outer = typename Net::template layer_type<Net::parameter_tensors[K].layer>;
    if constexpr (Net::parameter_tensors[K].path.depth <= 1)
        return std::type_identity<outer>{};
    else
        return std::type_identity<layer_inside<outer, kind<Net::parameter_tensors[K].kind[C]...>>>{};
}
/// The layer a coverage error names for tensor K: its network layer, or the layer inside a block.
template <class Net, std::size_t K>
using layer_of = typename decltype(layer_of_tensor<Net, K>(
    std::make_index_sequence<Net::parameter_tensors[K].kind.size()>{}))::type;

/// How many groups train tensor K (state tensors count as trained once: no group takes them).
template <class Net, std::size_t K, class... Groups>
inline constexpr std::size_t groups_training = Net::parameter_tensors[K].role != Role::trained
                                                   ? 1
                                                   : (std::size_t{group_owns<Net, Groups, K>} + ... + 0);

/// One coverage check per tensor (a layer's tensors share theirs, so each is reported once).
template <class Net, class Indices, class... Groups>
struct optimizer_coverage;
template <class Net, std::size_t... K, class... Groups>
struct optimizer_coverage<Net, std::index_sequence<K...>, Groups...> {
    static constexpr bool ok = (optimizer_coverage_check<Net::parameter_tensors[K].layer, layer_of<Net, K>,
                                                         groups_training<Net, K, Groups...>>::ok &&
                                ... && true);
};

/// Everything an Optimizer holds, so that its size is known where the Optimizer is declared.
template <class Net, class... Groups>
struct optimizer_state {
    boost::hana::basic_tuple<BoundGroup<Net, Groups>...> groups;
    std::size_t steps = 0;
};

}  // namespace detail

/// The optimizer of a whole network: each group updates the layers it owns, with its own
/// rule, schedule and fixed-size state. Made by `make_optimizer<Net>(groups...)`.
/// A group that trains no layer is a compile error naming it, reported before the layers it
/// leaves untrained, which that mistake usually causes.
template <class Net, class... Groups>
class Optimizer : detail::optimizer_groups_used<Net, std::index_sequence_for<Groups...>, Groups...> {
    static_assert(sizeof...(Groups) > 0, "typenet: an optimizer needs at least one group");
    // After the group checks (the bases), which name the usual cause of a coverage error first.
    using covered_ = std::bool_constant<
        detail::optimizer_coverage<Net, std::make_index_sequence<detail::tensor_count_of<Net>>, Groups...>::ok>;

public:
    using scalar_type = typename Net::scalar_type;

    /// Whether parameter tensor K (of Net::parameter_tensors) is changed by this optimizer (not Frozen).
    template <std::size_t K>
    static constexpr bool trains_tensor =
        ((detail::group_owns<Net, Groups, K> && !std::is_same_v<decltype(Groups::rule), Frozen>) || ...);
    /// Whether layer I has parameters that this optimizer changes (inside a block: any of them).
    template <std::size_t I>
    static constexpr bool trains = []<std::size_t... K>(std::index_sequence<K...>) {
        return ((Net::parameter_tensors[K].layer == I && trains_tensor<K>) || ...);
    }(std::make_index_sequence<detail::tensor_count_of<Net>>{});
    /// `trains<I>` for every layer: what `Net::backward<trained_layers>` computes gradients for.
    static constexpr std::array<bool, Net::layer_count> trained_layers = []<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<bool, Net::layer_count>{trains<I>...};
    }(std::make_index_sequence<Net::layer_count>{});
    /// The first layer this optimizer trains (Net::layer_count if none): backward stops there.
    static constexpr std::size_t first_trained_layer =
        std::size_t(std::find(trained_layers.begin(), trained_layers.end(), true) - trained_layers.begin());

    /// The exact bytes of this object: each group's rule, schedule and state tensors (moments,
    /// velocities), the step counter, and the padding that 64-byte aligned tensors bring.
    static constexpr std::size_t state_bytes = sizeof(detail::optimizer_state<Net, Groups...>);

    constexpr explicit Optimizer(Groups... groups) : state_{decltype(state_.groups)(detail::BoundGroup<Net, Groups>{groups}...)} {
        static_assert(sizeof(Optimizer) == state_bytes, "typenet: internal error: state_bytes is not the optimizer's size");
    }

    /// Applies one update to `net` from `net.gradients()` times `gradient_scale`, and leaves
    /// the gradients at zero for the next batch (reset while they are still in cache). With
    /// `parallel`, its threads share the parameters, each a contiguous range: the same bits.
    void step(Net& net, scalar_type gradient_scale = scalar_type{1}, const Parallel* parallel = nullptr) {
        const auto sweep = [&](std::size_t, std::size_t first, std::size_t last) {
            [&]<std::size_t... G>(std::index_sequence<G...>) {
                (boost::hana::at_c<G>(state_.groups).step(net, state_.steps, gradient_scale, first, last), ...);
            }(std::index_sequence_for<Groups...>{});
        };
        if (parallel != nullptr && parallel->parts() > 1)
            detail::for_each_part(*parallel, Net::parameter_count, sweep);
        else
            sweep(0, 0, Net::parameter_count);
        clear_frozen_gradients(net, std::make_index_sequence<detail::tensor_count_of<Net>>{});
        ++state_.steps;
    }

    /// Updates applied so far.
    std::size_t steps() const { return state_.steps; }

private:
    // A frozen layer after the first trained one gets parameter gradients from backward (a layer
    // computes them whenever it passes a gradient on); they are dropped here, so they stay zero.
    template <std::size_t... K>
    static void clear_frozen_gradients(Net& net, std::index_sequence<K...>) {
        (clear_gradients_if_frozen<K>(net), ...);
    }
    template <std::size_t K>
    static void clear_gradients_if_frozen(Net& net) {
        constexpr ParameterInfo tensor = Net::parameter_tensors[K];
        if constexpr (tensor.layer >= first_trained_layer && tensor.role == Role::trained && !trains_tensor<K>)
            for (std::size_t i = 0; i < tensor.size; ++i) net.gradients()[tensor.offset + i] = scalar_type{};
    }

    detail::optimizer_state<Net, Groups...> state_;
};

/// `make_optimizer<SeedNet>(for_layers<"Conv2D">(SGD{.learning_rate = 0.01}),
///                          for_layers<"Dense">(Adam{.learning_rate = 0.01}))`, or, to fine-tune
/// the last layer only, `make_optimizer<SeedNet>(layers<0, 7>(Frozen{}), layers<7, 9>(SGD{}))`.
template <class Net, class... Groups>
constexpr Optimizer<Net, Groups...> make_optimizer(Groups... groups) {
    return Optimizer<Net, Groups...>(groups...);
}

}  // namespace typenet
