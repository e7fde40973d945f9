// train_on_mnist: the whole run the MNIST examples share, from loading to report.html.
#pragma once

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
#include <typenet/data/mnist.hpp>
#include <typenet/io/weights.hpp>
#include <typenet/train/trainer.hpp>
#include <typenet/viz/confusion.hpp>
#include <typenet/viz/curves.hpp>
#include <typenet/viz/preview_writer.hpp>
#include <typenet/viz/report.hpp>
#include <typenet/viz/summary.hpp>

#include "command_line.hpp"

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

/// Trains on the plain or the shifted training images. When training stops on a NaN/Inf, the
/// error also says which checkpoint holds the last good weights.
template <class Trainer>
typenet::History fit_mnist(Trainer& trainer, const typenet::MnistSplits& data, const Settings& settings,
                           typenet::FitOptions fit) {
    using namespace typenet;
    std::size_t last_saved = 0;
    add_checkpoints(fit, trainer.network(), settings.checkpoint, last_saved);
    try {
        return settings.shift > 0 ? trainer.fit(RandomShift(data.train, settings.shift, settings.seed), &data.validation, fit)
                                  : trainer.fit(data.train, &data.validation, fit);
    } catch (const training_error& e) {
        if (last_saved == 0) throw;
        throw training_error(fmt::format("{}\nThe weights after epoch {}, the last good one, are in {}.", e.what(),
                                         last_saved, settings.checkpoint.string()),
                             e.history);
    }
}

/// Loads MNIST from `settings.data`, trains `net` with `optimizer`, evaluates, and writes
/// curves, confusion matrix, previews and report.html into `settings.out`. Returns the exit code.
template <class Loss, std::size_t Batch, class Net, class Opt>
int train_on_mnist(const std::string& title, Net& net, Opt& optimizer, const Settings& settings) {
    namespace fs = std::filesystem;
    using namespace typenet;
    const auto started = std::chrono::steady_clock::now();
    fmt::print("{} (batch {})\n{}\n", title, Batch, Net::summary());

    constexpr auto input = Net::input_shape_type::dims;
    static_assert(Net::input_shape_type::rank == 3 && input[0] == 1, "the MNIST examples feed 1 x H x W images");
    check_shift(settings, input[1], input[2]);
    if (settings.checkpoint.has_parent_path()) fs::create_directories(settings.checkpoint.parent_path());
    MnistOptions options;
    options.rows = input[1];
    options.cols = input[2];
    options.classes = Net::output_shape_type::size;
    options.validation = settings.validation;
    options.seed = settings.seed;
    MnistSplits data = load_mnist(settings.data, options);
    if (settings.limit > 0 && settings.limit < data.train.size()) data.train = subset(data.train, 0, settings.limit);
    fmt::print("data: {} train, {} validation, {} test images from {}\n\n", data.train.size(), data.validation.size(),
               data.test.size(), settings.data.string());

    if (settings.sanity) {
        // On copies, so the real run starts from the same weights whether or not this runs.
        auto probe = std::make_unique<Net>(net);
        auto probe_optimizer = std::make_unique<Opt>(optimizer);
        auto probe_trainer = make_trainer<Loss, Batch>(*probe, *probe_optimizer);
        const SanityOptions check;
        const SanityResult sanity = probe_trainer.sanity_check(data.train, check);
        fmt::print("sanity check: loss {:.4f} -> {:.4f} in {} epochs on {} images: {}\n\n", sanity.initial_loss,
                   sanity.final_loss, sanity.epochs, std::min(check.samples, data.train.size()),
                   sanity.passed ? "passed" : fmt::format("FAILED (the loss did not reach {})", check.target_loss));
    }

    fs::create_directories(settings.out);
    auto trainer = make_trainer<Loss, Batch>(net, optimizer);
    FitOptions fit;
    fit.epochs = settings.epochs;
    fit.seed = settings.seed;
    PreviewWriter previews(net, data.validation, settings.out / "previews", settings.preview);
    previews.attach(fit, data.train.size());
    History history = fit_mnist(trainer, data, settings, fit);

    const Evaluation train = trainer.evaluate(data.train);
    // The last epoch already evaluated the validation set with these final weights.
    const EpochRecord last = history.epochs.empty() ? EpochRecord{} : history.epochs.back();
    const double validation_accuracy = last.validation_accuracy.value_or(0);
    history.test = trainer.evaluate(data.test);
    const Evaluation& test = *history.test;

    double train_seconds = 0;
    for (const auto& epoch : history.epochs) train_seconds += epoch.seconds;
    // No epoch, or one too short for the clock, has no throughput to report (not a division by 0).
    const double throughput =
        train_seconds > 0 ? double(data.train.size() * history.epochs.size()) / train_seconds : 0.0;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    fmt::print("\ntrain accuracy: {:.2f}%  (loss {:.4f})\n", 100 * train.accuracy, train.loss);
    if (last.validation_loss)
        fmt::print("validation accuracy: {:.2f}%  (loss {:.4f})\n", 100 * validation_accuracy, *last.validation_loss);
    fmt::print("test accuracy: {:.2f}%  (loss {:.4f})\n", 100 * test.accuracy, test.loss);
    fmt::print("training: {:.2f} s for {} epoch(s), {:.0f} samples/s; wall time {:.2f} s\n", train_seconds,
               settings.epochs, throughput, wall);

    const RenderResult curves = render_training_curves(settings.out, history, {.title = title});
    const RenderResult confusion = render_confusion_matrix(settings.out, test.confusion, "test set: true vs predicted");
    for (const auto* r : {&curves, &confusion})
        if (!r->rendered) fmt::print("note: {}\n", r->message);
    std::vector<std::string> pictures{"curves.png", "confusion.png"};
    for (const auto& path : previews.written()) pictures.push_back(fs::relative(path, settings.out).string());
    const std::vector<Metric> metrics{
        {"network", title},
        {"train accuracy", fmt::format("{:.2f}%", 100 * train.accuracy)},
        {"validation accuracy", fmt::format("{:.2f}%", 100 * validation_accuracy)},
        {"test accuracy", fmt::format("{:.2f}%", 100 * test.accuracy)},
        {"test loss", fmt::format("{:.4f}", test.loss)},
        {"epochs", fmt::format("{}", settings.epochs)},
        {"batch", fmt::format("{}", Batch)},
        {"augmentation", settings.shift > 0 ? fmt::format("random shifts of up to {} pixels", settings.shift) : "none"},
        {"training throughput", fmt::format("{:.0f} samples/s", throughput)},
        {"parameters", fmt::format("{}", Net::parameter_count)},
    };
    save_weights(net, settings.out / "weights.bin");
    const auto report = write_report(settings.out, title, metrics, pictures);
    fmt::print("outputs: {} (curves.png, confusion.png, curves.csv, weights.bin{})\n", report.string(),
               previews.written().empty() ? "" : fmt::format(", {} previews", previews.written().size()));
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
