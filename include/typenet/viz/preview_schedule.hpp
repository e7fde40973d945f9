// PreviewSchedule: at which training samples a preview is due, given a fraction of an epoch.
#pragma once

#include <cmath>
#include <cstddef>

namespace typenet {

/// Fires every `ratio` of an epoch, at the same in-epoch positions every epoch so that previews
/// of different epochs are comparable: ratio 0.25 over 100 samples fires at samples 0, 25, 50
/// and 75 of each epoch. Ratio 0 (or negative, or NaN) never fires; ratio >= 1 fires once, at
/// the first sample of each epoch.
class PreviewSchedule {
public:
    PreviewSchedule(double ratio, std::size_t samples_per_epoch)
        : step_(ratio > 0 && std::isfinite(ratio) ? ratio * static_cast<double>(samples_per_epoch) : 0),
          samples_per_epoch_(samples_per_epoch) {}

    /// `sample_index` counts from the start of training or of the epoch; both work.
    [[nodiscard]] bool due(std::size_t sample_index) const {
        if (step_ <= 0 || samples_per_epoch_ == 0) return false;
        const std::size_t in_epoch = sample_index % samples_per_epoch_;
        // Preview k is at round(k * step); only the k nearest to in_epoch can land on it.
        const double k = std::round(static_cast<double>(in_epoch) / step_);
        return position(k - 1) == in_epoch || position(k) == in_epoch || position(k + 1) == in_epoch;
    }

    /// How many previews one epoch gets (0 when off).
    [[nodiscard]] std::size_t per_epoch() const {
        if (step_ <= 0 || samples_per_epoch_ == 0) return 0;
        // Steps under one sample hit every index; longer steps never hit the same one twice.
        if (step_ < 1) return samples_per_epoch_;
        std::size_t count = 0;
        while (position(static_cast<double>(count)) != samples_per_epoch_) ++count;
        return count;
    }

    [[nodiscard]] bool enabled() const { return step_ > 0 && samples_per_epoch_ > 0; }

private:
    /// In-epoch index of preview k, or an impossible index when k is outside the epoch.
    [[nodiscard]] std::size_t position(double k) const {
        const double p = std::round(k * step_);
        if (k < 0 || p >= static_cast<double>(samples_per_epoch_)) return samples_per_epoch_;
        return static_cast<std::size_t>(p);
    }

    double step_;
    std::size_t samples_per_epoch_;
};

}  // namespace typenet
