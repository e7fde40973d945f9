// Optimizer<Net, Groups...>: one update rule per group of layers, chosen by layer kind.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

#include <boost/hana/at.hpp>
#include <boost/hana/basic_tuple.hpp>

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
struct kind {};
template <class... Kinds>
struct kinds {};

template <LayerKind Kind, std::size_t... I>
kind<Kind.chars[I]...> spell_out(std::index_sequence<I...>);
template <LayerKind Kind>
using spelled = decltype(spell_out<Kind>(std::make_index_sequence<Kind.view().size()>{}));

}  // namespace detail

/// An update rule and the layer kinds it trains; no kinds means every layer.
template <class Rule, LayerKind... Kinds>
struct LayerGroup {
    Rule rule;
    /// The kinds as types, for diagnostics.
    using spelled_kinds = detail::kinds<detail::spelled<Kinds>...>;

    static constexpr bool covers([[maybe_unused]] std::string_view kind) {
        return sizeof...(Kinds) == 0 || ((Kinds.view() == kind) || ...);
    }
};

/// Trains the layers of the given kinds with `rule`: `for_layers<"Conv2D">(SGD{.learning_rate = 0.01})`.
template <LayerKind... Kinds, class Rule>
constexpr LayerGroup<Rule, Kinds...> for_layers(Rule rule) {
    static_assert(sizeof...(Kinds) > 0, "typenet: for_layers<\"Kind\", ...> needs at least one layer kind; "
                                        "use for_all_layers(rule) for every layer");
    return {rule};
}

/// Trains every layer with `rule`.
template <class Rule>
constexpr LayerGroup<Rule> for_all_layers(Rule rule) {
    return {rule};
}

namespace detail {

/// Fails for a layer with parameters that no group, or more than one group, trains.
template <std::size_t Index, class Layer, std::size_t MatchingGroups>
struct optimizer_coverage_check {
    static_assert(MatchingGroups > 0, "typenet: this layer has parameters but no optimizer group trains it "
                                      "(add its kind to a for_layers<...> group)");
    static_assert(MatchingGroups < 2, "typenet: more than one optimizer group trains this layer");
    static constexpr bool ok = MatchingGroups == 1;
};

/// Fails for a group that trains no layer: no layer with parameters has one of its kinds (a
/// misspelt kind, or a kind the network does not contain). The group's position among the
/// make_optimizer arguments (from 0) and its kinds are arguments, so the compiler names them.
template <std::size_t GroupIndex, class Kinds, std::size_t TrainedLayers>
struct optimizer_group_check {
    static_assert(TrainedLayers > 0, "typenet: this optimizer group trains no layer: no layer with parameters "
                                     "has one of its kinds (see Kinds; they are spelt as in summary(), e.g. "
                                     "\"Conv2D\", \"Dense\")");
    static constexpr bool ok = TrainedLayers > 0;
};

/// How many layers with parameters `Group` trains.
template <class Net, class Group>
inline constexpr std::size_t layers_trained_by = []<std::size_t... I>(std::index_sequence<I...>) {
    return (std::size_t{Net::template layer_parameter_count<I> > 0 && Group::covers(Net::template layer_kind<I>)} +
            ... + 0);
}(std::make_index_sequence<Net::layer_count>{});

/// One check per group, as base classes (see optimizer_coverage).
template <class Net, class GroupIndices, class... Groups>
struct optimizer_groups_used;
template <class Net, std::size_t... G, class... Groups>
struct optimizer_groups_used<Net, std::index_sequence<G...>, Groups...>
    : optimizer_group_check<G, typename Groups::spelled_kinds, layers_trained_by<Net, Groups>>... {};

/// One group bound to a network: which layers it owns and their optimizer state.
template <class Net, class Group>
struct BoundGroup {
    using T = typename Net::scalar_type;
    static constexpr std::size_t N = Net::layer_count;

    template <std::size_t I>
    static constexpr bool owns = Net::template layer_parameter_count<I> > 0 &&
                                 Group::covers(Net::template layer_kind<I>);

    /// Offsets of each owned layer's state within the group's state tensors.
    static constexpr std::array<std::size_t, N + 1> state_offsets = []<std::size_t... I>(std::index_sequence<I...>) {
        std::array<std::size_t, N + 1> offsets{};
        const std::array<std::size_t, N> sizes{(owns<I> ? Net::template layer_parameter_count<I> : 0)...};
        for (std::size_t i = 0; i < N; ++i) offsets[i + 1] = offsets[i] + sizes[i];
        return offsets;
    }(std::make_index_sequence<N>{});
    static constexpr std::size_t state_size = state_offsets[N];

    decltype(Group::rule) rule;
    std::array<Tensor<Shape<state_size>, T>, decltype(Group::rule)::state_tensors> state{};

    void step(Net& net, std::size_t step, T gradient_scale) {
        const auto constants = rule.prepare(step, gradient_scale);
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (update_layer<I>(net, constants), ...);
        }(std::make_index_sequence<N>{});
    }

private:
    template <std::size_t I, class Constants>
    void update_layer(Net& net, const Constants& constants) {
        if constexpr (owns<I>) {
            constexpr std::size_t offset = Net::parameter_offsets[I];
            std::array<T*, decltype(Group::rule)::state_tensors> slices{};
            for (std::size_t k = 0; k < slices.size(); ++k) slices[k] = state[k].data() + state_offsets[I];
            decltype(Group::rule)::template update<Net::template layer_parameter_count<I>>(
                constants, net.parameters().data() + offset, net.gradients().data() + offset, slices.data());
        }
    }
};

/// How many groups train layer I (layers without parameters count as trained once).
template <class Net, std::size_t I, class... Groups>
inline constexpr std::size_t groups_training =
    Net::template layer_parameter_count<I> == 0 ? 1
                                                : (std::size_t{Groups::covers(Net::template layer_kind<I>)} + ... + 0);

/// One coverage check per layer, as base classes: bases are always instantiated, so every
/// check runs as soon as the optimizer type is used, without a second cascading error.
template <class Net, class Indices, class... Groups>
struct optimizer_coverage;
template <class Net, std::size_t... I, class... Groups>
struct optimizer_coverage<Net, std::index_sequence<I...>, Groups...>
    : optimizer_coverage_check<I, typename Net::template layer_type<I>, groups_training<Net, I, Groups...>>... {};

}  // namespace detail

/// The optimizer of a whole network: each group updates the layers it owns, with its own
/// rule and fixed-size state. Made by `make_optimizer<Net>(groups...)`.
/// A group that trains no layer is a compile error naming it, reported before the layers it
/// leaves untrained, which that mistake usually causes.
template <class Net, class... Groups>
class Optimizer : detail::optimizer_groups_used<Net, std::index_sequence_for<Groups...>, Groups...>,
                  detail::optimizer_coverage<Net, std::make_index_sequence<Net::layer_count>, Groups...> {
    static_assert(sizeof...(Groups) > 0, "typenet: an optimizer needs at least one group");

public:
    using scalar_type = typename Net::scalar_type;

    constexpr explicit Optimizer(Groups... groups) : groups_{detail::BoundGroup<Net, Groups>{groups.rule}...} {}

    /// Applies one update to `net` from `net.gradients()` times `gradient_scale`, and leaves
    /// the gradients at zero for the next batch (reset while they are still in cache).
    void step(Net& net, scalar_type gradient_scale = scalar_type{1}) {
        [&]<std::size_t... G>(std::index_sequence<G...>) {
            (boost::hana::at_c<G>(groups_).step(net, steps_, gradient_scale), ...);
        }(std::index_sequence_for<Groups...>{});
        ++steps_;
    }

    /// Updates applied so far.
    std::size_t steps() const { return steps_; }

    /// The bytes of optimizer state (moments, velocities), fixed at compile time.
    static constexpr std::size_t state_bytes = (sizeof(detail::BoundGroup<Net, Groups>) + ... + 0);

private:
    boost::hana::basic_tuple<detail::BoundGroup<Net, Groups>...> groups_;
    std::size_t steps_ = 0;
};

/// `make_optimizer<SeedNet>(for_layers<"Conv2D">(SGD{.learning_rate = 0.01}),
///                          for_layers<"Dense">(Adam{.learning_rate = 0.01}))`
template <class Net, class... Groups>
constexpr Optimizer<Net, Groups...> make_optimizer(Groups... groups) {
    return Optimizer<Net, Groups...>(groups...);
}

}  // namespace typenet
