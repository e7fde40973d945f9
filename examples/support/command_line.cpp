#include "command_line.hpp"

#include <algorithm>
#include <charconv>

namespace examples {

std::string usage(std::string_view program, std::string_view about, const Settings& d, const Extras& extras) {
    std::string text = fmt::format("{}\n\nusage: {} [options]\n\n", about, program);
    text += fmt::format("  --data DIR        MNIST-format directory with the four IDX files (default {})\n", d.data.string());
    text += fmt::format("  --epochs N        training epochs; 0 only evaluates --load or --import weights (default {})\n",
                        d.epochs);
    if (!extras.batches.empty()) {
        std::string list;
        for (auto b : extras.batches) list += fmt::format("{}{}", list.empty() ? "" : ", ", b);
        text += fmt::format("  --batch N         minibatch size, one of {} (default {})\n", list, d.batch);
    }
    text += fmt::format("  --seed N          seed for initialisation and shuffling (default {})\n", d.seed);
    text += fmt::format("  --out DIR         where pictures, CSVs, weights and report.html go (default {})\n", d.out.string());
    text += fmt::format("  --preview R       feature-map preview every R (0 to 1) of an epoch, 0 = off (default {})\n",
                        d.preview);
    text += fmt::format("  --validation N    images of the training file held out for validation (default {})\n",
                        d.validation);
    text += "  --limit N         train on at most N images (quick runs)\n";
    text += fmt::format("  --threads N       threads sharing each batch's samples (default {}: every core)\n", d.threads);
    text += fmt::format("  --shift N         move each training image by up to N pixels, anew every epoch (default {})\n",
                        d.shift);
    text += fmt::format("  --rotate DEG      also turn each training image by up to DEG degrees (default {})\n", d.rotate);
    text += fmt::format("  --zoom F          also scale each training image by a factor from 1 - F to 1 + F (default {})\n",
                        d.zoom);
    text += "  --sanity          first check that the network can overfit 32 images\n";
    text += "  --recalibrate     after training, take BatchNorm's statistics over the training images unaugmented\n";
    text += fmt::format("  --no-recalibrate  keep the statistics training gathered (default {})\n",
                        d.recalibrate ? "--recalibrate" : "--no-recalibrate");
    text += "  --checkpoint FILE save the weights to FILE after every epoch whose loss and weights are finite\n";
    text += "  --load FILE       start from weights saved by --save, --checkpoint or save_weights\n";
    text += "  --import FILE     start from PyTorch weights of the same layers (.safetensors or .npz)\n";
    text += "  --save FILE       write the final weights to FILE\n";
    text += "  --export FILE.hpp write the final parameters as a C++ header to compile into a program\n";
    if (!extras.variants.empty()) {
        std::string list;
        for (const auto& v : extras.variants) list += fmt::format("{}{}", list.empty() ? "" : ", ", v);
        text += fmt::format("  --variant NAME    network: {} (default {})\n", list, extras.variants.front());
    }
    text += "  --help            this text\n";
    return text;
}

namespace {

template <class Number>
Number parse_number(std::string_view option, std::string_view text) {
    Number value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size())
        throw usage_error(fmt::format("{} needs a number, got '{}'", option, text));
    return value;
}

/// The number `text` gives `option`, if `fits` accepts it; else "<option> needs <what>, got '<text>'".
template <class Number, class Fits>
Number parse_checked(std::string_view option, std::string_view text, Fits fits, std::string_view what) {
    const Number value = parse_number<Number>(option, text);
    if (!fits(value)) throw usage_error(fmt::format("{} needs {}, got '{}'", option, what, text));
    return value;
}

}  // namespace

std::optional<Settings> parse(int argc, char** argv, std::string_view about, Settings settings, const Extras& extras) {
    if (!extras.variants.empty() && settings.variant.empty()) settings.variant = extras.variants.front();
    const Settings defaults = settings;
    const std::string_view program = argc > 0 ? argv[0] : "example";
    for (int i = 1; i < argc; ++i) {
        const std::string_view option = argv[i];
        auto value = [&]() -> std::string_view {
            if (i + 1 >= argc) throw usage_error(fmt::format("{} needs a value", option));
            return argv[++i];
        };
        if (option == "--help" || option == "-h") {
            fmt::print("{}", usage(program, about, defaults, extras));
            return std::nullopt;
        } else if (option == "--data") {
            settings.data = value();
        } else if (option == "--epochs") {
            settings.epochs = parse_number<std::size_t>(option, value());
        } else if (option == "--batch" && !extras.batches.empty()) {
            settings.batch = parse_number<std::size_t>(option, value());
            if (std::find(extras.batches.begin(), extras.batches.end(), settings.batch) == extras.batches.end())
                throw usage_error(fmt::format("--batch {} is not compiled into this example (see --help)", settings.batch));
        } else if (option == "--seed") {
            settings.seed = parse_number<std::uint64_t>(option, value());
        } else if (option == "--out") {
            settings.out = value();
        } else if (option == "--preview") {
            // Previews restart counting every epoch, so a gap above 1 would never come round.
            settings.preview = parse_checked<double>(option, value(), [](double v) { return v >= 0 && v <= 1; },
                                                     "a fraction of an epoch from 0 to 1 (0 = off)");
        } else if (option == "--validation") {
            settings.validation = parse_number<std::size_t>(option, value());
        } else if (option == "--limit") {
            settings.limit = parse_number<std::size_t>(option, value());
        } else if (option == "--threads") {
            settings.threads = parse_checked<std::size_t>(option, value(), [](std::size_t v) { return v >= 1 && v <= 256; },
                                                          "a count from 1 to 256");
        } else if (option == "--shift") {
            settings.shift = parse_number<std::size_t>(option, value());
        } else if (option == "--rotate") {
            settings.rotate = parse_checked<double>(option, value(), [](double v) { return v >= 0 && v <= 180; },
                                                    "degrees from 0 to 180");
        } else if (option == "--zoom") {
            settings.zoom = parse_checked<double>(option, value(), [](double v) { return v >= 0 && v < 1; },
                                                  "a fraction from 0 to below 1");
        } else if (option == "--checkpoint") {
            settings.checkpoint = value();
        } else if (option == "--load") {
            settings.load = value();
        } else if (option == "--import") {
            settings.import = value();
        } else if (option == "--save") {
            settings.save = value();
        } else if (option == "--export") {
            settings.export_header = value();
        } else if (option == "--sanity") {
            settings.sanity = true;
        } else if (option == "--recalibrate" || option == "--no-recalibrate") {
            settings.recalibrate = option == "--recalibrate";
        } else if (option == "--variant" && !extras.variants.empty()) {
            settings.variant = value();
            if (std::find(extras.variants.begin(), extras.variants.end(), settings.variant) == extras.variants.end())
                throw usage_error(fmt::format("unknown --variant '{}' (see --help)", settings.variant));
        } else {
            throw usage_error(fmt::format("unknown option '{}' (see --help)", option));
        }
    }
    if (!settings.load.empty() && !settings.import.empty())
        throw usage_error("--load and --import both choose the starting weights: give one");
    if (settings.epochs == 0 && settings.load.empty() && settings.import.empty())
        throw usage_error("--epochs 0 only evaluates, so it needs --load or --import");
    return settings;
}

}  // namespace examples
