// UpdateRule: what an optimizer group needs from a rule such as SGD or Adam; Frozen, the rule that trains nothing.
#pragma once

#include <concepts>
#include <cstddef>
#include <string_view>
#include <utility>

namespace typenet {

namespace detail {

/// Whether `rule.update<T>(learning_rate, step)` returns something callable as
/// `update(weight, gradient, state...)` with one state value per state tensor.
template <class Rule, class T, std::size_t... K>
constexpr bool updates_one_parameter(std::index_sequence<K...>) {
    return requires(const Rule& rule, T& weight, T gradient, T& state) {
        rule.template update<T>(double{}, std::size_t{})(weight, gradient, ((void)K, state)...);
    };
}

}  // namespace detail

/// How one parameter moves, given its gradient: the part of an optimizer that differs between
/// SGD, Adam or a rule of your own. A rule has
/// - `state_tensors`: how many values it keeps per parameter (SGD's velocity: 1, Adam's moments: 2);
/// - `learning_rate`: the base rate, which the group's Schedule turns into the rate of each step;
/// - `update<T>(learning_rate, step)`: the update of step `step` (from 0) at that rate, called as
///   `update(weight, gradient, state...)` for every parameter the group trains. Each parameter
///   moves on its own: the trainer's threads share a step by ranges of parameters, each thread
///   with its own `update`.
///
/// The group does everything else once, for every rule: it turns the gradient summed over a batch
/// into its mean, adds `weight_decay * weight` to it (L2) if the rule has a `weight_decay`, and
/// clears the gradient afterwards. A rule of your own fits in one header: see RMSProp in
/// tests/unit/update_rule_test.cpp.
template <class Rule>
concept UpdateRule = std::copyable<Rule> && requires(const Rule& rule) {
    { Rule::state_tensors } -> std::convertible_to<std::size_t>;
    { rule.learning_rate } -> std::convertible_to<double>;
} && detail::updates_one_parameter<Rule, float>(std::make_index_sequence<Rule::state_tensors>{});

/// The rule of a group that trains nothing: `layers<0, 7>(Frozen{})`. Its layers keep their
/// parameters and need no state, and the trainer's backward pass computes no gradient for them
/// below the first trained layer: it stops there.
struct Frozen {
    static constexpr std::string_view name = "Frozen";
    static constexpr std::size_t state_tensors = 0;
};

/// What an optimizer group takes: an UpdateRule, or Frozen.
template <class Rule>
concept GroupRule = UpdateRule<Rule> || std::same_as<Rule, Frozen>;

namespace detail {

/// The L2 weight decay the group applies for `rule`: its `weight_decay`, or none.
template <class Rule>
constexpr double weight_decay_of([[maybe_unused]] const Rule& rule) {
    if constexpr (requires { rule.weight_decay; })
        return rule.weight_decay;
    else
        return 0.0;
}

}  // namespace detail

}  // namespace typenet
