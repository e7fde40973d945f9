// Small labelled point sets for the training tests: a SampleSource over 2-D (or N-D) points.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>
#include <vector>

#include <typenet/train/trainer.hpp>

namespace test_support {

/// Points of `dims` coordinates each, one class label per point.
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

/// Fit options for tests: `epochs` epochs, no progress output.
inline typenet::FitOptions quiet(std::size_t epochs) {
    typenet::FitOptions options;
    options.epochs = epochs;
    options.progress = typenet::ProgressStyle::none;
    return options;
}

}  // namespace test_support
