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
#include <memory>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include <typenet/layers/layer.hpp>
#include <typenet/losses/loss.hpp>
#include <typenet/random.hpp>
#include <typenet/tensor.hpp>
#include <typenet/train/flush_denormals.hpp>
#include <typenet/train/history.hpp>
#include <typenet/train/progress.hpp>
#include <typenet/train/sample_source.hpp>
#include <typenet/train/workers.hpp>

namespace typenet {

/// Thrown when training cannot go on: a sample that does not fit the network (before any work;
/// the message names the data, the sample's index and the problem), or a loss or weight that
/// became NaN/Inf (naming the epoch and sample). `history` keeps everything recorded before the stop.
struct training_error : std::runtime_error {
    training_error(const std::string& message, History h) : std::runtime_error(message), history(std::move(h)) {}
    History history;
};

/// What a SampleCallback is told.
struct TrainingEvent {
    std::size_t epoch;          ///< 1-based
    std::size_t sample;         ///< samples done in this epoch
    std::size_t samples;        ///< samples per epoch
    double running_loss;
    double running_accuracy;
};

/// A function `fit` calls during each epoch, after the step in which the epoch's sample count
/// passes a multiple of `every` (0: never). Callbacks are not training: their time is left out
/// of the epoch's samples per second.
struct SampleCallback {
    std::size_t every = 0;
    std::function<void(const TrainingEvent&)> call{};
};

struct FitOptions {
    std::size_t epochs = 1;
    std::uint64_t seed = 1;  ///< for the shuffling order and Dropout's masks
    bool shuffle = true;
    std::size_t records_per_epoch = 100;  ///< IterationRecords in the history per epoch
    ProgressStyle progress = ProgressStyle::automatic;
    std::FILE* progress_stream = stdout;
    /// Called in order, each at its own interval: e.g. `PreviewWriter::attach` adds one.
    std::vector<SampleCallback> callbacks{};
    /// Samples between scans of the weights for NaN/Inf during an epoch; the weights are also
    /// scanned at the end of every epoch, whatever this is (0: only then).
    std::size_t check_weights_every = 4096;
    /// Called in order after each epoch whose loss and weights are finite, once its validation
    /// is done and its record is in the history: e.g. to save a checkpoint (examples/support/
    /// mnist_run.hpp). An exception from a hook ends `fit` and propagates unchanged.
    std::vector<std::function<void(const EpochRecord&)>> on_epoch_end{};
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

/// Trains `Net` with `LossFunction` and `Opt` on minibatches of `BatchSize` samples: every layer
/// runs once forward and once backward over the whole batch, in training mode, and one optimizer
/// update uses the mean of the samples' gradients. Backward stops at the first layer the
/// optimizer trains and leaves Frozen layers before it untouched. Allocates its batch memory,
/// `Net::batch_bytes<BatchSize>`, once when it is made, so a step allocates nothing.
/// See examples/mnist_seed.cpp.
template <class Net, class LossFunction, class Opt, std::size_t BatchSize = 1>
    requires Loss<LossFunction, typename Net::output_tensor>
class Trainer {
    static_assert(BatchSize > 0, "typenet: the batch size must be at least 1");

public:
    using T = typename Net::scalar_type;
    static constexpr std::size_t batch_size = BatchSize;

    using batch_type = typename Net::template Batch<BatchSize>;

    /// Clears the network's gradients: every step after this leaves them cleared again.
    /// `seed` draws the masks of Dropout layers, different ones at every step.
    Trainer(Net& net, Opt& optimizer, std::uint64_t seed = 1)
        : net_(net), optimizer_(optimizer), batch_(std::make_unique<batch_type>()), seed_(seed) {
        net_.zero_gradients();
    }

    Net& network() { return net_; }

    /// Shares each batch's samples out over `threads` threads (this one included) in the layers
    /// that run sample by sample; 1, the default, runs everything on the calling thread. The
    /// threads and their gradient buffers are made here. Results depend on the thread count only
    /// through the order in which gradients are added up: the same count gives the same weights.
    void use_threads(std::size_t threads) {
        workers_.reset();
        if (threads > 1) workers_ = std::make_unique<Workers>(threads, Net::parameter_count * sizeof(T));
    }
    std::size_t threads() const { return workers_ ? workers_->parts() : 1; }

    /// One minibatch: at most BatchSize samples of `data` at `indices`, then one update.
    /// When a loss is not finite, stops before updating and reports it in the result.
    /// Throws training_error, before any work, for an index past the end of `data` or a label
    /// the network has no output for (the only checks cheap enough for every step).
    template <SampleSource Source>
    StepResult step(const Source& data, std::span<const std::size_t> indices) {
        const auto batch = indices.first(std::min(indices.size(), BatchSize));
        for (std::size_t index : batch) check_index_and_label(data, index);
        if (batch.empty()) return {};
        for (std::size_t b = 0; b < batch.size(); ++b) load(data, batch[b], b);
        net_.forward(*batch_, Mode::training, pass_seed(), batch.size(), workers_.get());
        StepResult result;
        for (std::size_t b = 0; b < batch.size(); ++b) {
            const double loss = output_gradient(b, data.label(batch[b]), result.correct);
            if (!std::isfinite(loss)) {
                result.finite = false;
                return result;
            }
            result.loss += loss;
            ++result.samples;
        }
        if (result.samples == 0) return result;
        net_.template backward<Opt::trained_layers>(*batch_);
        optimizer_.step(net_, T{1} / T(result.samples), workers_.get());
        return result;
    }

    /// Mean loss, accuracy and confusion matrix of the network on `data`.
    /// Throws training_error if a sample does not fit the network (see SampleSource).
    template <SampleSource Source>
    Evaluation evaluate(const Source& data) {
        check_samples(data, data.size(), "evaluate", "");
        return evaluate_checked(data);
    }

    /// Replaces the running statistics of layers that keep them (BatchNorm's) by their mean over
    /// batches of `data`, every sample once, in order, and trains nothing. Running statistics
    /// gathered during training follow the last few batches only, and of augmented images; taking
    /// them over the plain training set after the last epoch ("precise BatchNorm") suits the
    /// evaluation that follows. Throws training_error, before any work, if `data` is empty or a
    /// sample does not fit the network.
    template <SampleSource Source>
    void recalibrate(const Source& data) {
        if (data.size() == 0) throw training_error("typenet: recalibrate: no samples to take statistics over", {});
        check_samples(data, data.size(), "recalibrate", "");
        FlushDenormals flush;
        for (std::size_t done = 0; done < data.size();) {
            const std::size_t n = std::min(BatchSize, data.size() - done);
            for (std::size_t b = 0; b < n; ++b) load(data, done + b, b);
            net_.forward(*batch_, PassContext{Mode::calibration, 0, n, workers_.get(), done});
            done += n;
        }
    }

    /// Trains for `options.epochs` epochs without validation.
    template <SampleSource Source>
    History fit(const Source& train, const FitOptions& options) {
        return fit(train, static_cast<const Source*>(nullptr), options);
    }

    /// Trains for `options.epochs` epochs, evaluating on `validation` (if given) after each.
    /// The two may be different kinds of source, e.g. augmented training images.
    /// Both are checked first (see SampleSource); then training_error on a NaN/Inf loss or
    /// weight names the epoch and sample and keeps the history so far.
    template <SampleSource Source, SampleSource Validation>
    History fit(const Source& train, const Validation* validation, const FitOptions& options) {
        check_fit_data(train, validation);
        seed_ = options.seed;  // Dropout's masks too: the same options, the same run
        History history;
        std::vector<std::size_t> order(train.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        Random random(options.seed);
        ProgressLine progress(options.progress_stream, options.progress);
        for (std::size_t epoch = 1; epoch <= options.epochs; ++epoch) {
            if (options.shuffle) shuffle(order, random);
            progress.start_epoch(epoch, options.epochs, order.size());
            EpochRecord record = run_epoch(train, order, epoch, options, progress, history);
            // Before anything sees these weights: validation, the history, checkpoints.
            check_weights(history, epoch, order.size(), order.size());
            progress.finish_epoch(validate(validation, record));
            history.epochs.push_back(record);
            for (const auto& hook : options.on_epoch_end) hook(history.epochs.back());
        }
        return history;
    }

    /// Trains on the first `options.samples` samples until their mean loss drops below
    /// `options.target_loss`: a network that cannot overfit a handful of samples has a bug.
    /// Throws training_error when there is no sample to train on or one does not fit the network.
    template <SampleSource Source>
    SanityResult sanity_check(const Source& data, const SanityOptions& options = {}) {
        const std::size_t n = std::min(options.samples, data.size());
        if (n == 0)
            throw training_error(fmt::format("typenet: sanity_check: no samples to overfit (the data has {}, "
                                             "SanityOptions::samples is {})",
                                             data.size(), options.samples),
                                 {});
        check_samples(data, n, "sanity_check", "");
        FlushDenormals flush;
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
    static constexpr std::size_t classes = Net::output_shape_type::size;
    static constexpr std::size_t input_size = Net::input_shape_type::size;

    template <class Source, class Validation>
    void check_fit_data(const Source& train, const Validation* validation) const {
        check_samples(train, train.size(), "fit", "training ");
        if (train.size() == 0) throw training_error("typenet: fit: the training set is empty", {});
        if (validation != nullptr) check_samples(*validation, validation->size(), "fit", "validation ");
    }

    static void shuffle(std::vector<std::size_t>& order, Random& random) {
        shuffle_positions(order.size(), random, [&](std::size_t a, std::size_t b) { std::swap(order[a], order[b]); });
    }

    /// One pass over `train` in `order`: steps, progress, iteration records, weight scans during
    /// the epoch and callbacks. Returns the epoch's record without validation.
    template <class Source>
    EpochRecord run_epoch(const Source& train, std::span<const std::size_t> order, std::size_t epoch,
                          const FitOptions& options, ProgressLine& progress, History& history) {
        const std::size_t n = order.size();
        const std::size_t record_every = std::max<std::size_t>(1, n / std::max<std::size_t>(1, options.records_per_epoch));
        double loss_sum = 0;
        std::size_t correct = 0, done = 0, next_record = record_every, next_check = options.check_weights_every;
        const auto start = std::chrono::steady_clock::now();
        std::chrono::steady_clock::duration in_callbacks{};
        {
            FlushDenormals flush;
            while (done < n) {
                const std::size_t before = done;
                const StepResult r = step(train, order.subspan(done, std::min(BatchSize, n - done)));
                if (!r.finite) fail_on_loss(history, epoch, done + r.samples, order);
                loss_sum += r.loss;
                correct += r.correct;
                done += r.samples;
                const double running_loss = loss_sum / double(done), running_accuracy = double(correct) / double(done);
                progress.update(done, running_loss, running_accuracy);
                if (done >= next_record || done == n) {
                    history.iterations.push_back({double(epoch - 1) + double(done) / double(n), running_loss, running_accuracy});
                    next_record += record_every;
                }
                // The end of the epoch has its own scan (in fit).
                if (options.check_weights_every > 0 && done >= next_check && done < n) {
                    check_weights(history, epoch, done, n);
                    next_check += options.check_weights_every;
                }
                in_callbacks += call_back(options.callbacks, before, {epoch, done, n, running_loss, running_accuracy});
            }
        }
        // Callbacks (previews, user code) are not training: their time is left out.
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start - in_callbacks).count();
        return {epoch, loss_sum / double(n), double(correct) / double(n), {}, {}, seconds,
                seconds > 0 ? double(n) / seconds : 0.0};
    }

    /// Calls each callback whose interval the step from `before` to `event.sample` samples
    /// crossed; returns the time they took.
    static std::chrono::steady_clock::duration call_back(const std::vector<SampleCallback>& callbacks,
                                                         std::size_t before, const TrainingEvent& event) {
        std::chrono::steady_clock::duration spent{};
        for (const SampleCallback& callback : callbacks)
            if (callback.every > 0 && callback.call && event.sample / callback.every > before / callback.every) {
                const auto called = std::chrono::steady_clock::now();
                callback.call(event);
                spent += std::chrono::steady_clock::now() - called;
            }
        return spent;
    }

    /// Fills in `record`'s validation results (if there is a validation set) and returns the
    /// text the progress line ends the epoch with.
    template <class Validation>
    std::string validate(const Validation* validation, EpochRecord& record) {
        if (validation == nullptr || validation->size() == 0) return {};
        const Evaluation v = evaluate_checked(*validation);
        record.validation_loss = v.loss;
        record.validation_accuracy = v.accuracy;
        return fmt::format("validation loss {:.4f}  accuracy {:.2f}%", v.loss, 100.0 * v.accuracy);
    }

    /// A batch at a time in inference mode, on the trainer's threads: the outputs' bits are
    /// those of Inference::predict, one image at a time.
    template <class Source>
    Evaluation evaluate_checked(const Source& data) {
        FlushDenormals flush;
        Evaluation result{0, 0, data.size(), ConfusionMatrix(classes)};
        for (std::size_t done = 0; done < data.size();) {
            const std::size_t n = std::min(BatchSize, data.size() - done);
            for (std::size_t b = 0; b < n; ++b) load(data, done + b, b);
            net_.forward(*batch_, Mode::inference, 0, n, workers_.get());
            for (std::size_t b = 0; b < n; ++b) {
                const auto& output = sample_output(b);
                result.loss += double(LossFunction::compute(output, data.label(done + b), gradient_));
                result.confusion.add(data.label(done + b), predicted_class(output));
            }
            done += n;
        }
        if (data.size() > 0) {
            result.loss /= double(data.size());
            result.accuracy = double(result.confusion.correct()) / double(data.size());
        }
        return result;
    }

    /// Throws training_error naming the first of samples [0, count) that does not fit the network.
    /// `role` ("training ", "validation " or "") says which data it is in the message.
    template <class Source>
    void check_samples(const Source& data, std::size_t count, std::string_view context, std::string_view role) const {
        if constexpr (DerivedSampleSource<Source>) {
            check_samples(data.underlying(), count, context, role);
        } else {
            for (std::size_t i = 0; i < count; ++i) {
                check_label(data, i, context, role);
                const std::span<const float> image = data.image(i);
                check_size(image, i, context, role);
                const auto bad = std::find_if(image.begin(), image.end(), [](float v) { return !std::isfinite(v); });
                if (bad != image.end())
                    fail_sample(context, role, i,
                                fmt::format("has value {} at position {}; inputs must be finite", *bad, bad - image.begin()));
            }
        }
    }

    template <class Source>
    void check_index_and_label(const Source& data, std::size_t index) const {
        if (index >= data.size())
            throw training_error(fmt::format("typenet: step: sample index {} is out of range (the data has {} samples)",
                                             index, data.size()),
                                 {});
        check_label(data, index, "step", "");
    }

    template <class Source>
    static void check_label(const Source& data, std::size_t index, std::string_view context, std::string_view role) {
        const std::size_t label = data.label(index);
        if (label >= classes)
            fail_sample(context, role, index, fmt::format("has label {}, but the network has {} outputs", label, classes));
    }

    static void check_size(std::span<const float> image, std::size_t index, std::string_view context, std::string_view role) {
        if (image.size() != input_size)
            fail_sample(context, role, index,
                        fmt::format("has {} values, but the network's input needs {}", image.size(), input_size));
    }

    [[noreturn]] static void fail_sample(std::string_view context, std::string_view role, std::size_t index,
                                         const std::string& problem) {
        throw training_error(fmt::format("typenet: {}: {}sample {} {}", context, role, index, problem), {});
    }

    /// Copies sample `index` of `data` into `to` (input_size values).
    template <class Source>
    void load(const Source& data, std::size_t index, T* to) {
        const std::span<const float> image = data.image(index);
        if (image.size() != input_size) check_size(image, index, "step", "");
        for (std::size_t i = 0; i < input_size; ++i) to[i] = T(image[i]);
    }
    template <class Source>
    void load(const Source& data, std::size_t index, std::size_t b) {
        load(data, index, batch_->inputs.data() + b * input_size);
    }

    /// Sample b's output from the batch's last forward pass, as the tensor a loss reads.
    const typename Net::output_tensor& sample_output(std::size_t b) {
        std::copy_n(batch_->outputs.data() + b * classes, classes, output_.data());
        return output_;
    }

    /// The loss of sample b of the batch's last forward pass; writes its output gradient.
    double output_gradient(std::size_t b, std::size_t label, std::size_t& correct) {
        const auto& output = sample_output(b);
        const double loss = double(LossFunction::compute(output, label, gradient_));
        last_loss_ = loss;
        if (!std::isfinite(loss)) return loss;
        correct += predicted_class(output) == label ? 1 : 0;
        std::copy_n(gradient_.data(), classes, batch_->output_gradients.data() + b * classes);
        return loss;
    }

    /// A different seed for every step, for Dropout's masks (SplitMix64's finaliser).
    std::uint64_t pass_seed() const {
        std::uint64_t z = seed_ + 0x9E3779B97F4A7C15ULL * (optimizer_.steps() + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

    [[noreturn]] void fail_on_loss(History& history, std::size_t epoch, std::size_t bad, std::span<const std::size_t> order) {
        fail(history, fmt::format("typenet: the loss became {} at epoch {}, sample {} of {} (data set index {}); training "
                                  "stopped. Check that input for NaN/Inf, or lower the learning rate.",
                                  last_loss_, epoch, bad + 1, order.size(), order[bad]));
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
    std::unique_ptr<batch_type> batch_;
    std::unique_ptr<Workers> workers_;
    std::uint64_t seed_;
    typename Net::output_tensor output_{};
    typename Net::output_tensor gradient_{};
    double last_loss_ = 0;
};

/// `auto trainer = make_trainer<MeanSquaredError>(net, optimizer);` (batch 1), or
/// `make_trainer<SoftmaxCrossEntropy, 32>(net, optimizer)`.
template <class LossFunction, std::size_t BatchSize = 1, class Net, class Opt>
Trainer<Net, LossFunction, Opt, BatchSize> make_trainer(Net& net, Opt& optimizer, std::uint64_t seed = 1) {
    return Trainer<Net, LossFunction, Opt, BatchSize>(net, optimizer, seed);
}

}  // namespace typenet
