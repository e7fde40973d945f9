// PreviewWriter: feature-map previews written while `fit` trains, every given fraction of an epoch.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <typenet/train/trainer.hpp>
#include <typenet/viz/network_maps.hpp>
#include <typenet/viz/preview.hpp>

namespace typenet {

/// Writes `dir`/preview-e<epoch>-s<sample>.png every `ratio` of an epoch (the seed framework's
/// `preview_ratio`) while `fit` runs, each showing the next of `samples` as the network sees it
/// then. The preview's forward pass runs between steps and touches neither parameters nor
/// gradients, so training computes exactly what it would without previews. Ratio 0 writes nothing.
template <class Net, SampleSource Source>
class PreviewWriter {
public:
    PreviewWriter(Net& net, const Source& samples, std::filesystem::path dir, double ratio)
        : net_(net), samples_(samples), dir_(std::move(dir)), ratio_(ratio) {}

    /// Adds this writer to the callbacks `options` has; adds nothing when previews are off.
    /// The writer must outlive the fit.
    void attach(FitOptions& options, std::size_t samples_per_epoch) {
        if (!(ratio_ > 0) || samples_.size() == 0 || samples_per_epoch == 0) return;
        const std::size_t every = std::max<std::size_t>(1, std::size_t(std::llround(ratio_ * double(samples_per_epoch))));
        options.callbacks.push_back({every, [this](const TrainingEvent& event) { write(event); }});
    }

    /// Runs the next sample through the network and writes its preview.
    void write(const TrainingEvent& event) {
        const std::size_t index = next_++ % samples_.size();
        const auto image = samples_.image(index);
        std::copy(image.begin(), image.end(), input_.begin());
        const auto& output = net_.forward(input_);
        const auto path = dir_ / fmt::format("preview-e{:02}-s{:06}.png", event.epoch, event.sample);
        write_preview(path, input_map(net_), feature_maps(net_), std::span<const float>(output.data(), output.size()),
                      samples_.label(index), predicted_class(output));
        written_.push_back(path);
    }

    /// Every file written so far, in order.
    const std::vector<std::filesystem::path>& written() const { return written_; }

private:
    Net& net_;
    const Source& samples_;
    std::filesystem::path dir_;
    double ratio_;
    std::size_t next_ = 0;
    std::vector<std::filesystem::path> written_;
    typename Net::input_tensor input_{};
};

}  // namespace typenet
