// train_on_mnist: the whole run the MNIST examples share, from loading to report.html.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <typenet/data/augment.hpp>
#include <typenet/data/random_affine.hpp>
#include <typenet/io/export.hpp>
#include <typenet/io/weights.hpp>
#include <typenet/train/trainer.hpp>
#include <typenet/viz/preview_writer.hpp>
#include <typenet/viz/summary.hpp>

#include "command_line.hpp"
#include "mnist_files.hpp"
#include "pytorch_import.hpp"

namespace examples {

/// Adds a hook to `fit` that saves `net` to `file` after every epoch whose loss is finite (fit
/// checks the weights before its hooks run) and counts the epochs saved in `last_saved`.
template <class Net>
void add_checkpoints(typenet::FitOptions& fit, const Net& net, const std::filesystem::path& file, std::size_t& last_saved) {
    if (file.empty()) return;
    fit.on_epoch_end.push_back([&net, file, &last_saved](const typenet::EpochRecord& epoch) {
        if (!std::isfinite(epoch.train_loss)) return;
        typenet::save_weights(net, file);
        last_saved = epoch.epoch;
        fmt::print("checkpoint: epoch {} saved to {}\n", epoch.epoch, file.string());
    });
}

/// Trains on the plain, the shifted or the randomly turned, scaled and shifted training images. When training stops on a NaN/Inf, the
/// error also says which checkpoint holds the last good weights.
template <class Trainer>
typenet::History fit_mnist(Trainer& trainer, const typenet::MnistSplits& data, const Settings& settings,
                           typenet::FitOptions fit) {
    using namespace typenet;
    std::size_t last_saved = 0;
    add_checkpoints(fit, trainer.network(), settings.checkpoint, last_saved);
    try {
        if (settings.rotate > 0 || settings.zoom > 0)
            return trainer.fit(RandomAffine(data.train, {settings.rotate, settings.zoom, double(settings.shift)}, settings.seed),
                               &data.validation, fit);
        return settings.shift > 0 ? trainer.fit(RandomShift(data.train, settings.shift, settings.seed), &data.validation, fit)
                                  : trainer.fit(data.train, &data.validation, fit);
    } catch (const training_error& e) {
        if (last_saved == 0) throw;
        throw training_error(fmt::format("{}\nThe weights after epoch {}, the last good one, are in {}.", e.what(),
                                         last_saved, settings.checkpoint.string()),
                             e.history);
    }
}

/// Reads and preprocesses MNIST for `Net`'s input size, as `settings` asks.
template <class Net>
typenet::MnistSplits load_mnist_for(const Settings& settings) {
    constexpr auto input = Net::input_shape_type::dims;
    static_assert(Net::input_shape_type::rank == 3 && input[0] == 1, "the MNIST examples feed 1 x H x W images");
    return load_mnist_images(settings, input[1], input[2], Net::output_shape_type::size);
}

/// Replaces the initial weights by --load's or --import's, if given.
template <class Net>
void load_starting_weights(Net& net, const Settings& settings) {
    if (!settings.load.empty()) {
        typenet::load_weights(net, settings.load);
        fmt::print("weights: loaded from {}\n", settings.load.string());
    } else if (!settings.import.empty()) {
        import_pytorch(typenet::import_target(net), settings.import);
        fmt::print("weights: imported from PyTorch, {}\n", settings.import.string());
    }
}

/// Overfits 32 images on copies, so the real run starts from the same weights either way.
template <class Loss, std::size_t Batch, class Net, class Opt>
void run_sanity_check(const Net& net, const Opt& optimizer, const typenet::Dataset& train) {
    using namespace typenet;
    auto probe = std::make_unique<Net>(net);
    auto probe_optimizer = std::make_unique<Opt>(optimizer);
    auto probe_trainer = make_trainer<Loss, Batch>(*probe, *probe_optimizer);
    const SanityOptions check;
    const SanityResult sanity = probe_trainer.sanity_check(train, check);
    fmt::print("sanity check: loss {:.4f} -> {:.4f} in {} epochs on {} images: {}\n\n", sanity.initial_loss,
               sanity.final_loss, sanity.epochs, std::min(check.samples, train.size()),
               sanity.passed ? "passed" : fmt::format("FAILED (the loss did not reach {})", check.target_loss));
}

/// Writes the final weights where --save and --export ask (each file atomically).
template <class Net>
void save_requested(const Net& net, const Settings& settings) {
    namespace fs = std::filesystem;
    for (const fs::path& file : {settings.save, settings.export_header})
        if (file.has_parent_path()) fs::create_directories(file.parent_path());
    if (!settings.save.empty()) {
        typenet::save_weights(net, settings.save);
        fmt::print("saved: {}\n", settings.save.string());
    }
    if (!settings.export_header.empty()) {
        typenet::export_header(net, settings.export_header, header_name(settings.export_header));
        fmt::print("exported: {} (struct {})\n", settings.export_header.string(),
                   header_name(settings.export_header));
    }
}

/// The line both a training run and an evaluation-only run print, so they can be compared.
inline void print_evaluation(const char* split, double accuracy, double loss) {
    fmt::print("{} accuracy: {:.2f}%  (loss {:.4f})\n", split, 100 * accuracy, loss);
}
inline void print_evaluation(const char* split, const typenet::Evaluation& e) {
    print_evaluation(split, e.accuracy, e.loss);
}

/// --epochs 0: evaluates the starting weights on validation and test, and saves or exports them.
template <class Loss, std::size_t Batch, class Net, class Opt>
int evaluate_on_mnist(Net& net, Opt& optimizer, const typenet::MnistSplits& data, const Settings& settings) {
    auto trainer = typenet::make_trainer<Loss, Batch>(net, optimizer);
    if (!data.validation.empty()) print_evaluation("validation", trainer.evaluate(data.validation));
    print_evaluation("test", trainer.evaluate(data.test));
    save_requested(net, settings);
    return 0;
}

/// With --recalibrate, replaces the running statistics of a network that keeps them (BatchNorm's)
/// by their mean over the training images without augmentation: those gathered in training
/// follow the last few batches of turned and zoomed images. Returns whether it did.
template <class Net, class Trainer>
bool recalibrate_statistics(Trainer& trainer, const typenet::Dataset& train, const Settings& settings) {
    constexpr bool keeps_statistics = std::ranges::any_of(
        Net::parameter_tensors, [](const typenet::ParameterInfo& t) { return t.role == typenet::Role::state; });
    if (!settings.recalibrate || !keeps_statistics) return false;
    const auto started = std::chrono::steady_clock::now();
    trainer.recalibrate(train);
    fmt::print("BatchNorm statistics: recalibrated on {} training images without augmentation in {:.1f} s\n",
               train.size(), std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    return true;
}

/// Writes weights.bin, curves, the confusion matrix and report.html into `settings.out`.
template <class Net>
void write_report_files(const std::string& title, const Net& net, const typenet::History& history,
                        const std::vector<typenet::Metric>& metrics, const std::vector<std::string>& previews,
                        const Settings& settings) {
    typenet::save_weights(net, settings.out / "weights.bin");
    write_report_pictures(title, history, metrics, previews, settings);
}

/// Loads MNIST from `settings.data`, starts from initialised, loaded or imported weights,
/// trains `net` with `optimizer`, evaluates, and writes curves, confusion matrix, previews and
/// report.html into `settings.out` (with --epochs 0 it only evaluates). Returns the exit code.
template <class Loss, std::size_t Batch, class Net, class Opt>
int train_on_mnist(const std::string& title, Net& net, Opt& optimizer, const Settings& settings) {
    namespace fs = std::filesystem;
    using namespace typenet;
    const auto started = std::chrono::steady_clock::now();
    fmt::print("{} (batch {})\n{}\n", title, Batch, Net::summary());
    check_shift(settings, Net::input_shape_type::dims[1], Net::input_shape_type::dims[2]);
    if (settings.checkpoint.has_parent_path()) fs::create_directories(settings.checkpoint.parent_path());
    load_starting_weights(net, settings);
    const MnistSplits data = load_mnist_for<Net>(settings);
    if (settings.epochs == 0) return evaluate_on_mnist<Loss, Batch>(net, optimizer, data, settings);
    if (settings.sanity) run_sanity_check<Loss, Batch>(net, optimizer, data.train);

    fs::create_directories(settings.out);
    auto trainer = make_trainer<Loss, Batch>(net, optimizer);
    trainer.use_threads(settings.threads);
    FitOptions fit;
    fit.epochs = settings.epochs;
    fit.seed = settings.seed;
    PreviewWriter previews(net, data.validation, settings.out / "previews", settings.preview);
    previews.attach(fit, data.train.size());
    History history = fit_mnist(trainer, data, settings, fit);
    const bool recalibrated = recalibrate_statistics<Net>(trainer, data.train, settings);

    const Evaluation train = trainer.evaluate(data.train);
    // The last epoch already evaluated the validation set with these final weights, unless
    // recalibration changed them since.
    EpochRecord last = history.epochs.empty() ? EpochRecord{} : history.epochs.back();
    if (recalibrated && !data.validation.empty()) {
        const Evaluation validation = trainer.evaluate(data.validation);
        last.validation_accuracy = validation.accuracy;
        last.validation_loss = validation.loss;
    }
    const double validation_accuracy = last.validation_accuracy.value_or(0);
    history.test = trainer.evaluate(data.test);
    const Evaluation& test = *history.test;

    double train_seconds = 0;
    for (const auto& epoch : history.epochs) train_seconds += epoch.seconds;
    // An epoch too short for the clock has no throughput to report (not a division by 0).
    const double throughput =
        train_seconds > 0 ? double(data.train.size() * history.epochs.size()) / train_seconds : 0.0;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    fmt::print("\n");
    print_evaluation("train", train);
    if (last.validation_loss) print_evaluation("validation", validation_accuracy, *last.validation_loss);
    print_evaluation("test", test);
    fmt::print("training: {:.2f} s for {} epoch(s), {:.0f} samples/s on {} thread(s); wall time {:.2f} s\n",
               train_seconds, settings.epochs, throughput, trainer.threads(), wall);

    std::vector<std::string> preview_files;
    for (const auto& path : previews.written()) preview_files.push_back(fs::relative(path, settings.out).string());
    const std::vector<Metric> metrics{
        {"network", title},
        {"train accuracy", fmt::format("{:.2f}%", 100 * train.accuracy)},
        {"validation accuracy", fmt::format("{:.2f}%", 100 * validation_accuracy)},
        {"test accuracy", fmt::format("{:.2f}%", 100 * test.accuracy)},
        {"test loss", fmt::format("{:.4f}", test.loss)},
        {"epochs", fmt::format("{}", settings.epochs)},
        {"batch", fmt::format("{}", Batch)},
        {"augmentation", augmentation(settings)},
        {"BatchNorm statistics", recalibrated ? "recalibrated on the training images without augmentation" : "from training"},
        {"training throughput", fmt::format("{:.0f} samples/s", throughput)},
        {"parameters", fmt::format("{}", Net::parameter_count)},
    };
    write_report_files(title, net, history, metrics, preview_files, settings);
    save_requested(net, settings);
    return 0;
}

/// Runs `body`, turning every error into a message on stderr and exit code 1 (2 for usage).
template <class Body>
int run_example(Body body) {
    try {
        return body();
    } catch (const usage_error& e) {
        fmt::print(stderr, "error: {}\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "error: {}\n", e.what());
        return 1;
    }
}

}  // namespace examples
