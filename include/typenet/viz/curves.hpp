// Training curves: the History as CSV, a gnuplot script for it, and curves.png when gnuplot runs.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include <typenet/train/history.hpp>
#include <typenet/viz/gnuplot.hpp>
#include <typenet/viz/text_file.hpp>

namespace typenet {

/// The history as CSV with the header `kind,progress,loss,accuracy`: first every `train_iter`
/// row (running values during epochs), then one `train_epoch` row per epoch, one `validation`
/// row per validated epoch, and a `test` row at progress = number of epochs. Rows of one kind
/// are contiguous so a plotting tool can draw each kind as one line. Progress is in epochs,
/// accuracy a fraction in [0, 1]; numbers are written in their shortest exact form.
inline std::string history_csv(const History& history) {
    std::string csv = "kind,progress,loss,accuracy\n";
    auto row = [&](std::string_view kind, double progress, double loss, double accuracy) {
        csv += fmt::format("{},{},{},{}\n", kind, progress, loss, accuracy);
    };
    for (const IterationRecord& it : history.iterations) row("train_iter", it.progress, it.loss, it.accuracy);
    for (const EpochRecord& e : history.epochs) {
        row("train_epoch", static_cast<double>(e.epoch), e.train_loss, e.train_accuracy);
    }
    for (const EpochRecord& e : history.epochs) {
        if (e.validation_loss || e.validation_accuracy) {
            row("validation", static_cast<double>(e.epoch), e.validation_loss.value_or(std::nan("")),
                e.validation_accuracy.value_or(std::nan("")));
        }
    }
    if (history.test) {
        row("test", static_cast<double>(history.epochs.size()), history.test->loss, history.test->accuracy);
    }
    return csv;
}

/// Writes history_csv(history) to `path`; throws std::runtime_error naming it on failure.
inline void write_history_csv(const std::filesystem::path& path, const History& history) {
    detail::write_text_file(path, history_csv(history));
}

namespace detail {

/// The gnuplot script drawing `csv_name` as two panels, accuracy and loss against epochs.
/// Only series with data are plotted, so gnuplot has nothing to warn about.
inline std::string curves_script(const History& history, const RenderOptions& options, std::string_view csv_name,
                                 std::string_view png_name) {
    const bool has_iterations = !history.iterations.empty();
    const bool has_epochs = !history.epochs.empty();
    const bool has_validation = std::any_of(history.epochs.begin(), history.epochs.end(),
                                            [](const EpochRecord& e) { return e.validation_accuracy.has_value(); });
    double last = static_cast<double>(history.epochs.size());
    for (const IterationRecord& it : history.iterations) last = std::max(last, it.progress);
    if (last <= 0) last = 1;

    const std::string data = gnuplot_quote(csv_name);
    // Okabe-Ito colours, distinguishable with the common colour-vision deficiencies.
    constexpr std::string_view train_colour = "#0072B2";
    constexpr std::string_view validation_colour = "#D55E00";
    constexpr std::string_view test_colour = "#009E73";

    // `column` is 3 for loss, 4 for accuracy; `scale` turns fractions into percent.
    auto panel = [&](std::string_view name, int column, std::string_view scale, std::string_view unit,
                     std::string_view yrange) {
        auto series = [&](std::string_view kind) {
            return fmt::format("{} using 2:(strcol(1) eq '{}' ? {}${} : NaN)", data, kind, scale, column);
        };
        std::vector<std::string> plots;
        if (has_iterations) {
            plots.push_back(fmt::format("{} with lines lw 1.5 lc rgb '{}' title 'train (running mean)'",
                                        series("train_iter"), train_colour));
        }
        if (has_epochs) {
            plots.push_back(fmt::format("{} with {} pt 6 ps 1.2 lw 2 lc rgb '{}' title 'train (epoch)'",
                                        series("train_epoch"), has_iterations ? "points" : "linespoints",
                                        train_colour));
        }
        if (has_validation) {
            plots.push_back(fmt::format("{} with linespoints pt 7 ps 1.2 lw 2 lc rgb '{}' title 'validation'",
                                        series("validation"), validation_colour));
        }
        if (history.test) {
            const double value = column == 4 ? 100 * history.test->accuracy : history.test->loss;
            plots.push_back(fmt::format("{} with lines dt 2 lw 1.5 lc rgb '{}' title {}", value, test_colour,
                                        gnuplot_quote(fmt::format("test {:.4g}{}", value, unit))));
            plots.push_back(fmt::format("{} with points pt 9 ps 2 lc rgb '{}' notitle", series("test"), test_colour));
        }
        std::string text = fmt::format("set title '{}'\nset ylabel '{}{}'\nset yrange {}\n", name, name,
                                       unit.empty() ? "" : fmt::format(" ({})", unit), yrange);
        text += "plot ";
        for (std::size_t i = 0; i < plots.size(); ++i) text += (i == 0 ? "" : ", \\\n     ") + plots[i];
        return text + "\n";
    };

    std::string script = fmt::format(
        "# Training curves written by typenet. Render with: gnuplot {gp}\n"
        "set terminal pngcairo noenhanced size 1200,500 font 'sans,11'\n"
        "set output {png}\n"
        "set datafile separator ','\n"
        "set multiplot layout 1,2 title {title} font 'sans,13'\n"
        "set grid lc rgb '#dddddd'\n"
        "set border lc rgb '#555555'\n"
        "set key box opaque\n"
        "set xlabel 'epoch'\n"
        "set xrange [0:{last}]\n"
        "set offsets 0, 0, graph 0.05, graph 0.05\n",
        fmt::arg("gp", fmt::format("{}.gp", std::filesystem::path(png_name).stem().string())),
        fmt::arg("png", gnuplot_quote(png_name)), fmt::arg("title", gnuplot_quote(options.title)),
        fmt::arg("last", last));
    // Accuracy autoscales for detail but never past 100 %.
    script += "set key bottom right\n" + panel("accuracy", 4, "100*", "%", "[*:*<100]");
    script += "set key top right\n" + panel("loss", 3, "", "", "[*:*]");
    script += "unset multiplot\n";
    return script;
}

}  // namespace detail

/// Writes `out_dir`/curves.csv and `out_dir`/curves.gp, then runs gnuplot to make curves.png:
/// accuracy and loss against epochs, with the running training mean, per-epoch validation and
/// the test result. Never throws for rendering: without gnuplot `rendered` is false and the
/// message says how to render later. Throws std::runtime_error when the files cannot be written.
inline RenderResult render_training_curves(const std::filesystem::path& out_dir, const History& history,
                                           const RenderOptions& options = {}) {
    detail::make_output_directory(out_dir);
    write_history_csv(out_dir / "curves.csv", history);
    detail::write_text_file(out_dir / "curves.gp", detail::curves_script(history, options, "curves.csv", "curves.png"));
    if (history.iterations.empty() && history.epochs.empty()) {
        return {false, "curves.png was not rendered: the history is empty, there is nothing to plot"};
    }
    return detail::run_gnuplot(options, out_dir, "curves.gp", "curves.png", "curves.csv");
}

}  // namespace typenet
