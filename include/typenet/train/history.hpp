// Training history and evaluation results: plain data that plots, CSVs and reports consume.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace typenet {

/// Counts of (true class, predicted class) pairs; rows are the true class.
class ConfusionMatrix {
public:
    explicit ConfusionMatrix(std::size_t classes = 0) : classes_(classes), counts_(classes * classes, 0) {}

    void add(std::size_t true_class, std::size_t predicted_class) {
        ++counts_[true_class * classes_ + predicted_class];
    }
    [[nodiscard]] std::size_t at(std::size_t true_class, std::size_t predicted_class) const {
        return counts_[true_class * classes_ + predicted_class];
    }
    [[nodiscard]] std::size_t classes() const { return classes_; }
    [[nodiscard]] std::size_t total() const {
        std::size_t sum = 0;
        for (auto c : counts_) sum += c;
        return sum;
    }
    [[nodiscard]] std::size_t correct() const {
        std::size_t sum = 0;
        for (std::size_t i = 0; i < classes_; ++i) sum += at(i, i);
        return sum;
    }

private:
    std::size_t classes_;
    std::vector<std::size_t> counts_;
};

/// What `evaluate` returns for one data set.
struct Evaluation {
    double loss = 0;      ///< mean loss per sample
    double accuracy = 0;  ///< fraction in [0, 1]
    std::size_t samples = 0;
    ConfusionMatrix confusion;
};

/// Running training loss/accuracy sampled during an epoch.
struct IterationRecord {
    double progress = 0;  ///< epochs completed, fractional (1.5 = half-way through the second epoch)
    double loss = 0;      ///< running mean loss since the start of the epoch
    double accuracy = 0;  ///< running accuracy since the start of the epoch, in [0, 1]
};

/// One line per finished epoch.
struct EpochRecord {
    std::size_t epoch = 0;  ///< 1-based
    double train_loss = 0;
    double train_accuracy = 0;
    std::optional<double> validation_loss;
    std::optional<double> validation_accuracy;
    double seconds = 0;             ///< wall time of the epoch's training, without callbacks and validation
    double samples_per_second = 0;  ///< training throughput of the epoch
};

/// Everything `fit` learned about the run; `test` is filled by the caller after evaluating.
struct History {
    std::vector<EpochRecord> epochs;
    std::vector<IterationRecord> iterations;
    std::optional<Evaluation> test;
};

}  // namespace typenet
