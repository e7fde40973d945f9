// Confusion matrix picture: confusion.dat, a gnuplot heat-map script, and confusion.png.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include <typenet/train/history.hpp>
#include <typenet/viz/gnuplot.hpp>
#include <typenet/viz/text_file.hpp>

namespace typenet {

namespace detail {

/// One "predicted true count" line per cell, a blank line after each true class: the grid
/// layout gnuplot's `with image` reads.
inline std::string confusion_data(const ConfusionMatrix& matrix) {
    std::string data = "# predicted true count\n";
    for (std::size_t t = 0; t < matrix.classes(); ++t) {
        for (std::size_t p = 0; p < matrix.classes(); ++p) data += fmt::format("{} {} {}\n", p, t, matrix.at(t, p));
        data += "\n";
    }
    return data;
}

inline std::string confusion_script(const ConfusionMatrix& matrix, std::string_view title, std::string_view dat_name,
                                    std::string_view png_name) {
    const std::size_t n = matrix.classes();
    std::size_t largest = 1;
    for (std::size_t t = 0; t < n; ++t) {
        for (std::size_t p = 0; p < n; ++p) largest = std::max(largest, matrix.at(t, p));
    }
    // Colour follows log(1 + count): on a linear scale the few errors beside a full diagonal
    // would look as white as the empty cells. Counts are printed, so no colour box.
    const std::size_t side = std::clamp<std::size_t>(160 + 44 * n, 480, 2400);
    const int label_font = n <= 12 ? 11 : n <= 25 ? 8 : 6;
    const std::string full_title =
        matrix.total() == 0
            ? std::string(title)
            : fmt::format("{} (accuracy {:.2f}% of {})", title,
                          100.0 * static_cast<double>(matrix.correct()) / static_cast<double>(matrix.total()),
                          matrix.total());
    return fmt::format(
        "# Confusion matrix written by typenet. Render with: gnuplot {gp}\n"
        "set terminal pngcairo noenhanced size {side},{side} font 'sans,11'\n"
        "set output {png}\n"
        "set title {title} font 'sans,13'\n"
        "set xlabel 'predicted class'\n"
        "set ylabel 'true class'\n"
        "set size ratio -1\n"
        "set xrange [-0.5:{edge}]\n"
        "set yrange [{edge}:-0.5]\n"  // reversed: class 0 at the top, as in a printed matrix
        "set xtics 0,1,{last} scale 0\n"
        "set ytics 0,1,{last} scale 0\n"
        "set cbrange [0:{top}]\n"
        "set palette defined (0 '#ffffff', 1 '#c6dbef', 2 '#6baed6', 3 '#08306b')\n"
        "unset colorbox\n"
        "unset key\n"
        "plot {dat} using 1:2:(log(1 + $3)) with image, \\\n"
        "     {dat} using 1:2:(sprintf('%d', $3)):($3 == 0 ? 0xbbbbbb : log(1 + $3) > 0.6 * {top} ? 0xffffff : 0x000000) "
        "with labels font 'sans,{label_font}' tc rgb variable\n",
        fmt::arg("gp", fmt::format("{}.gp", std::filesystem::path(png_name).stem().string())),
        fmt::arg("side", side), fmt::arg("png", gnuplot_quote(png_name)), fmt::arg("title", gnuplot_quote(full_title)),
        fmt::arg("edge", static_cast<double>(n) - 0.5), fmt::arg("last", n - 1),
        fmt::arg("top", std::log1p(static_cast<double>(largest))), fmt::arg("dat", gnuplot_quote(dat_name)),
        fmt::arg("label_font", label_font));
}

}  // namespace detail

/// Writes `out_dir`/confusion.dat and `out_dir`/confusion.gp, then runs gnuplot to make
/// confusion.png: a heat map, true class down, predicted class across, the count in every cell.
/// Never throws for rendering (see RenderResult); throws std::invalid_argument for a matrix
/// without classes and std::runtime_error when the files cannot be written.
inline RenderResult render_confusion_matrix(const std::filesystem::path& out_dir, const ConfusionMatrix& matrix,
                                            std::string_view title = "confusion matrix",
                                            const RenderOptions& options = {}) {
    if (matrix.classes() == 0) {
        throw std::invalid_argument("typenet: render_confusion_matrix: the matrix has no classes");
    }
    detail::make_output_directory(out_dir);
    detail::write_text_file(out_dir / "confusion.dat", detail::confusion_data(matrix));
    detail::write_text_file(out_dir / "confusion.gp",
                            detail::confusion_script(matrix, title, "confusion.dat", "confusion.png"));
    return detail::run_gnuplot(options, out_dir, "confusion.gp", "confusion.png", "confusion.dat");
}

}  // namespace typenet
