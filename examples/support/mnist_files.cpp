#include "mnist_files.hpp"

#include <cctype>

#include <fmt/format.h>

#include <typenet/viz/confusion.hpp>
#include <typenet/viz/curves.hpp>

namespace examples {

typenet::MnistSplits load_mnist_images(const Settings& settings, std::size_t rows, std::size_t cols, std::size_t classes) {
    using namespace typenet;
    MnistOptions options;
    options.rows = rows;
    options.cols = cols;
    options.classes = classes;
    options.validation = settings.validation;
    options.seed = settings.seed;
    MnistSplits data = load_mnist(settings.data, options);
    if (settings.limit > 0 && settings.limit < data.train.size()) data.train = subset(data.train, 0, settings.limit);
    fmt::print("data: {} train, {} validation, {} test images from {} (mean pixel {:.9f} subtracted)\n\n",
               data.train.size(), data.validation.size(), data.test.size(), settings.data.string(), data.mean);
    return data;
}

void write_report_pictures(const std::string& title, const typenet::History& history,
                           const std::vector<typenet::Metric>& metrics, const std::vector<std::string>& previews,
                           const Settings& settings) {
    using namespace typenet;
    const RenderResult curves = render_training_curves(settings.out, history, {.title = title});
    const RenderResult confusion =
        render_confusion_matrix(settings.out, history.test->confusion, "test set: true vs predicted");
    for (const auto* r : {&curves, &confusion})
        if (!r->rendered) fmt::print("note: {}\n", r->message);
    std::vector<std::string> pictures{"curves.png", "confusion.png"};
    pictures.insert(pictures.end(), previews.begin(), previews.end());
    const auto report = write_report(settings.out, title, metrics, pictures);
    fmt::print("outputs: {} (curves.png, confusion.png, curves.csv, weights.bin{})\n", report.string(),
               previews.empty() ? "" : fmt::format(", {} previews", previews.size()));
}

std::string header_name(const std::filesystem::path& file) {
    std::string name = file.stem().string();
    for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) name.insert(0, "net_");
    return name;
}

std::string augmentation(const Settings& settings) {
    std::string text;
    if (settings.rotate > 0) text += fmt::format("turns of up to {} degrees, ", settings.rotate);
    if (settings.zoom > 0) text += fmt::format("zooms of up to {}%, ", 100 * settings.zoom);
    if (settings.shift > 0) text += fmt::format("shifts of up to {} pixels, ", settings.shift);
    return text.empty() ? "none" : text.substr(0, text.size() - 2);
}

}  // namespace examples
