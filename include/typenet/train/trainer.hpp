// Trainer: minibatch steps, fit with validation and history, evaluate, sanity check.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <typenet/random.hpp>
#include <typenet/tensor.hpp>
#include <typenet/train/flush_denormals.hpp>
#include <typenet/train/history.hpp>
#include <typenet/train/progress.hpp>

namespace typenet {

/// Labelled samples: `size()`, `image(i)` (values in the network's input order), `label(i)`.
template <class D>
concept SampleSource = requires(const D& d, std::size_t i) {
    { d.size() } -> std::convertible_to<std::size_t>;
    { d.image(i) } -> std::convertible_to<std::span<const float>>;
    { d.label(i) } -> std::convertible_to<std::size_t>;
};

/// Thrown when training cannot go on (a non-finite loss or weight, data that does not fit the
/// network); `history` keeps everything recorded before the stop.
struct training_error : std::runtime_error {
    training_error(const std::string& message, History h) : std::runtime_error(message), history(std::move(h)) {}
    History history;
};

/// What a `FitOptions::callback` is told, every `callback_every` samples.
struct TrainingEvent {
    std::size_t epoch;          ///< 1-based
    std::size_t sample;         ///< samples done in this epoch
    std::size_t samples;        ///< samples per epoch
    double running_loss;
    double running_accuracy;
};

struct FitOptions {
    std::size_t epochs = 1;
    std::uint64_t seed = 1;  ///< for the shuffling order
    bool shuffle = true;
    std::size_t records_per_epoch = 100;  ///< IterationRecords in the history per epoch
    ProgressStyle progress = ProgressStyle::automatic;
    std::FILE* progress_stream = stdout;
    std::size_t callback_every = 0;  ///< samples; 0 = never
    std::function<void(const TrainingEvent&)> callback{};
    std::size_t check_weights_every = 4096;  ///< samples between scans of the weights for NaN/Inf
};

struct SanityOptions {
    std::size_t samples = 32;   ///< the first this many samples of the set
    std::size_t epochs = 300;   ///< at most
    double target_loss = 0.01;  ///< passes once the mean loss of an epoch is below this
};

struct SanityResult {
    double initial_loss = 0, final_loss = 0;
    std::size_t epochs = 0;
    bool passed = false;
};

/// The outcome of one minibatch step.
struct StepResult {
    double loss = 0;  ///< summed over the batch's samples
    std::size_t correct = 0;
    std::size_t samples = 0;
    bool finite = true;  ///< false when some sample's loss was NaN or Inf (no update was made)
};

/// Index of the largest value: the predicted class.
template <class S, class T>
constexpr std::size_t argmax(const Tensor<S, T>& t) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < S::size; ++i)
        if (t[i] > t[best]) best = i;
    return best;
}

/// Trains `Net` with `Loss` and `Opt` on minibatches of `BatchSize` samples: each sample is run
/// forward and backward, the gradients add up, and one optimizer update uses their mean.
/// Holds its buffers by value, so a step allocates nothing. See examples/mnist_seed.cpp.
template <class Net, class Loss, class Opt, std::size_t BatchSize = 1>
class Trainer {
    static_assert(BatchSize > 0, "typenet: the batch size must be at least 1");

public:
    using T = typename Net::scalar_type;
    static constexpr std::size_t batch_size = BatchSize;

    /// Clears the network's gradients: every step after this leaves them cleared again.
    Trainer(Net& net, Opt& optimizer) : net_(net), optimizer_(optimizer) { net_.zero_gradients(); }

    Net& network() { return net_; }

    /// One minibatch: at most BatchSize samples of `data` at `indices`, then one update.
    /// When a loss is not finite, stops before updating and reports it in the result.
    template <SampleSource Source>
    StepResult step(const Source& data, std::span<const std::size_t> indices) {
        StepResult result;
        for (std::size_t index : indices.first(std::min(indices.size(), BatchSize))) {
            const double loss = forward_backward(data, index, result.correct);
            if (!std::isfinite(loss)) {
                result.finite = false;
                net_.zero_gradients();
                return result;
            }
            result.loss += loss;
            ++result.samples;
        }
        if (result.samples > 0) optimizer_.step(net_, T{1} / T(result.samples));
        return result;
    }

    /// Mean loss, accuracy and confusion matrix of the network on `data`.
    template <SampleSource Source>
    Evaluation evaluate(const Source& data) {
        check_fits(data, "evaluate");
        FlushDenormals flush;
        constexpr std::size_t classes = Net::output_shape_type::size;
        Evaluation result{0, 0, data.size(), ConfusionMatrix(classes)};
        for (std::size_t i = 0; i < data.size(); ++i) {
            load(data, i);
            const auto& output = net_.forward(input_);
            result.loss += double(Loss::compute(output, data.label(i), gradient_));
            result.confusion.add(data.label(i), argmax(output));
        }
        if (data.size() > 0) {
            result.loss /= double(data.size());
            result.accuracy = double(result.confusion.correct()) / double(data.size());
        }
        return result;
    }

    /// Trains for `options.epochs` epochs without validation.
    template <SampleSource Source>
    History fit(const Source& train, const FitOptions& options) {
        return fit(train, static_cast<const Source*>(nullptr), options);
    }

    /// Trains for `options.epochs` epochs, evaluating on `validation` (if given) after each.
    /// The two may be different kinds of source, e.g. augmented training images.
    /// Throws training_error on a NaN/Inf loss or weight, naming the epoch and sample.
    template <SampleSource Source, SampleSource Validation>
    History fit(const Source& train, const Validation* validation, const FitOptions& options) {
        check_fits(train, "fit");
        if (train.size() == 0) throw training_error("typenet: fit: the training set is empty", {});
        History history;
        std::vector<std::size_t> order(train.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        Random random(options.seed);
        ProgressLine progress(options.progress_stream, options.progress);
        const std::size_t n = train.size();
        const std::size_t record_every = std::max<std::size_t>(1, n / std::max<std::size_t>(1, options.records_per_epoch));

        for (std::size_t epoch = 1; epoch <= options.epochs; ++epoch) {
            if (options.shuffle)
                shuffle_positions(n, random, [&](std::size_t a, std::size_t b) { std::swap(order[a], order[b]); });
            progress.start_epoch(epoch, options.epochs, n);
            double loss_sum = 0;
            std::size_t correct = 0, done = 0, next_record = record_every, next_callback = options.callback_every,
                        next_check = options.check_weights_every;
            const auto start = std::chrono::steady_clock::now();
            std::chrono::steady_clock::duration in_callbacks{};
            {
                FlushDenormals flush;
                while (done < n) {
                    const std::size_t count = std::min(BatchSize, n - done);
                    const StepResult r = step(train, std::span<const std::size_t>(order).subspan(done, count));
                    if (!r.finite) {
                        const std::size_t bad = done + r.samples;
                        fail(history, fmt::format("typenet: the loss became {} at epoch {}, sample {} of {} (data set "
                                                  "index {}); training stopped. Check that input for NaN/Inf, or "
                                                  "lower the learning rate.",
                                                  last_loss_, epoch, bad + 1, n, order[bad]));
                    }
                    loss_sum += r.loss;
                    correct += r.correct;
                    done += r.samples;
                    const double running_loss = loss_sum / double(done), running_accuracy = double(correct) / double(done);
                    progress.update(done, running_loss, running_accuracy);
                    if (done >= next_record || done == n) {
                        history.iterations.push_back({double(epoch - 1) + double(done) / double(n), running_loss, running_accuracy});
                        next_record += record_every;
                    }
                    if (options.check_weights_every > 0 && (done >= next_check || done == n)) {
                        check_weights(history, epoch, done, n);
                        next_check += options.check_weights_every;
                    }
                    if (options.callback && options.callback_every > 0 && done >= next_callback) {
                        const auto called = std::chrono::steady_clock::now();
                        options.callback(TrainingEvent{epoch, done, n, running_loss, running_accuracy});
                        in_callbacks += std::chrono::steady_clock::now() - called;
                        next_callback += options.callback_every;
                    }
                }
            }
            // Callbacks (previews, user code) are not training: their time is left out.
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start - in_callbacks).count();
            EpochRecord record{epoch, loss_sum / double(n), double(correct) / double(n), {}, {}, seconds,
                               seconds > 0 ? double(n) / seconds : 0.0};
            std::string summary;
            if (validation != nullptr && validation->size() > 0) {
                const Evaluation v = evaluate(*validation);
                record.validation_loss = v.loss;
                record.validation_accuracy = v.accuracy;
                summary = fmt::format("validation loss {:.4f}  accuracy {:.2f}%", v.loss, 100.0 * v.accuracy);
            }
            progress.finish_epoch(summary);
            history.epochs.push_back(record);
        }
        return history;
    }

    /// Trains on the first `options.samples` samples until their mean loss drops below
    /// `options.target_loss`: a network that cannot overfit a handful of samples has a bug.
    template <SampleSource Source>
    SanityResult sanity_check(const Source& data, const SanityOptions& options = {}) {
        check_fits(data, "sanity_check");
        FlushDenormals flush;
        const std::size_t n = std::min(options.samples, data.size());
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), std::size_t{0});
        SanityResult result;
        for (std::size_t epoch = 1; epoch <= options.epochs; ++epoch) {
            double loss = 0;
            for (std::size_t done = 0; done < n; done += BatchSize) {
                const StepResult r = step(data, std::span<const std::size_t>(order).subspan(done, std::min(BatchSize, n - done)));
                if (!r.finite) return result;
                loss += r.loss;
            }
            loss /= double(n);
            if (epoch == 1) result.initial_loss = loss;
            result.final_loss = loss;
            result.epochs = epoch;
            if (loss < options.target_loss) {
                result.passed = true;
                break;
            }
        }
        return result;
    }

private:
    template <class Source>
    void check_fits(const Source& data, const char* what) const {
        if (data.size() > 0 && data.image(0).size() != Net::input_shape_type::size)
            throw training_error(fmt::format("typenet: {}: samples have {} values, but the network's input needs {}",
                                             what, data.image(0).size(), Net::input_shape_type::size),
                                 {});
    }

    template <class Source>
    void load(const Source& data, std::size_t index) {
        const std::span<const float> image = data.image(index);
        for (std::size_t i = 0; i < Net::input_shape_type::size; ++i) input_[i] = T(image[i]);
    }

    template <class Source>
    double forward_backward(const Source& data, std::size_t index, std::size_t& correct) {
        load(data, index);
        const auto& output = net_.forward(input_);
        const std::size_t label = data.label(index);
        const double loss = double(Loss::compute(output, label, gradient_));
        last_loss_ = loss;
        if (!std::isfinite(loss)) return loss;
        correct += argmax(output) == label ? 1 : 0;
        net_.backward(gradient_);
        return loss;
    }

    void check_weights(History& history, std::size_t epoch, std::size_t done, std::size_t n) {
        const auto& p = net_.parameters();
        for (std::size_t i = 0; i < p.size(); ++i)
            if (!std::isfinite(p[i])) {
                std::size_t layer = 0;
                while (Net::parameter_offsets[layer + 1] <= i) ++layer;
                fail(history, fmt::format("typenet: parameter {} of layer {} ({}) became {} during epoch {} (by sample "
                                          "{} of {}); training stopped. Lower the learning rate.",
                                          i - Net::parameter_offsets[layer], layer, Net::layer_kinds[layer], p[i], epoch, done, n));
            }
    }

    [[noreturn]] static void fail(History& history, const std::string& message) {
        throw training_error(message, std::move(history));
    }

    Net& net_;
    Opt& optimizer_;
    typename Net::input_tensor input_{};
    typename Net::output_tensor gradient_{};
    double last_loss_ = 0;
};

/// `auto trainer = make_trainer<MeanSquaredError>(net, optimizer);` (batch 1), or
/// `make_trainer<SoftmaxCrossEntropy, 32>(net, optimizer)`.
template <class Loss, std::size_t BatchSize = 1, class Net, class Opt>
Trainer<Net, Loss, Opt, BatchSize> make_trainer(Net& net, Opt& optimizer) {
    return Trainer<Net, Loss, Opt, BatchSize>(net, optimizer);
}

}  // namespace typenet
