// SampleSource: labelled samples for the trainer, such as Dataset or RandomShift.
#pragma once

#include <concepts>
#include <cstddef>
#include <span>
#include <type_traits>

namespace typenet {

/// Labelled samples: `size()`, `image(i)` (values in the network's input order; the view needs
/// to stay valid only until the next call), `label(i)` (the class, from 0). Examples: `Dataset`,
/// `RandomShift`, `Points` in tests/unit/training_test.cpp.
/// `fit`, `evaluate` and `sanity_check` check every sample they will use before any work: a label
/// below the network's output count, an image of the input's size, finite values. A source that
/// computes its samples on the fly from other data (`RandomShift`) can name that data as
/// `underlying()`, a SampleSource of the same size whose labels it keeps and whose values it only
/// moves: the checks then scan it instead, without computing a single sample.
template <class D>
concept SampleSource = requires(const D& d, std::size_t i) {
    { d.size() } -> std::convertible_to<std::size_t>;
    { d.image(i) } -> std::convertible_to<std::span<const float>>;
    { d.label(i) } -> std::convertible_to<std::size_t>;
};

/// A SampleSource that computes its samples from `underlying()`, which the checks read instead.
template <class D>
concept DerivedSampleSource = SampleSource<D> && requires(const D& d) {
    requires SampleSource<std::remove_cvref_t<decltype(d.underlying())>>;
};

}  // namespace typenet
