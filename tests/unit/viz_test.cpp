// Tests for typenet/viz: PNG output, canvas, previews and their schedule, curves, confusion, report.
#define BOOST_TEST_MODULE viz
#include <boost/test/unit_test.hpp>

#include <typenet/typenet.hpp>
#include <typenet/viz/canvas.hpp>
#include <typenet/viz/confusion.hpp>
#include <typenet/viz/curves.hpp>
#include <typenet/viz/network_maps.hpp>
#include <typenet/viz/png.hpp>
#include <typenet/viz/preview.hpp>
#include <typenet/viz/preview_writer.hpp>
#include <typenet/viz/report.hpp>

#include <stb/stb_image.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// Lets Boost.Test print colours in failed comparisons (found by argument-dependent lookup).
namespace typenet {
std::ostream& boost_test_print_type(std::ostream& out, const Rgb& c) {
    return out << '(' << int{c.r} << ',' << int{c.g} << ',' << int{c.b} << ')';
}
}  // namespace typenet

namespace {

namespace fs = std::filesystem;
using typenet::MapView;
using typenet::Rgb;

/// Pictures stay in the working directory (the build tree's scratch folder under CTest) so a
/// failing test leaves something to look at.
fs::path output_dir(std::string_view test) {
    const fs::path dir = fs::path("viz_test_output") / test;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

struct DecodedImage {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> rgb;

    Rgb at(std::size_t x, std::size_t y) const {
        const std::size_t i = (y * static_cast<std::size_t>(width) + x) * 3;
        return {rgb[i], rgb[i + 1], rgb[i + 2]};
    }
    bool uniform() const {
        for (std::size_t i = 3; i < rgb.size(); ++i) {
            if (rgb[i] != rgb[i % 3]) return false;
        }
        return true;
    }
};

DecodedImage decode(const fs::path& path) {
    DecodedImage image;
    int channels = 0;
    std::uint8_t* pixels = stbi_load(path.string().c_str(), &image.width, &image.height, &channels, 3);
    BOOST_REQUIRE_MESSAGE(pixels != nullptr, "cannot decode " << path.string());
    image.rgb.assign(pixels, pixels + static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 3);
    stbi_image_free(pixels);
    return image;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

bool gnuplot_available() {
    const char* path = std::getenv("PATH");
    if (path == nullptr) return false;
    std::string_view dirs = path;
    while (!dirs.empty()) {
        const std::size_t colon = dirs.find(':');
        const fs::path candidate = fs::path(std::string(dirs.substr(0, colon))) / "gnuplot";
        if (fs::is_regular_file(candidate)) return true;
        dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
    }
    return false;
}

/// Pixel at the centre of value (row, col) of a tile drawn with `scale`.
Rgb value_pixel(const DecodedImage& image, const typenet::PixelRect& tile, std::size_t scale, std::size_t row,
                std::size_t col) {
    return image.at(tile.x + col * scale + scale / 2, tile.y + row * scale + scale / 2);
}

/// A small fixed set of views: a 1x6x5 input and two layers.
struct SampleViews {
    std::vector<float> input_values, conv_values, pool_values;
    MapView input;
    std::vector<MapView> maps;

    SampleViews() {
        input_values.resize(30);
        for (std::size_t i = 0; i < input_values.size(); ++i) input_values[i] = static_cast<float>(i % 7);
        conv_values.resize(3 * 4 * 4);
        for (std::size_t i = 0; i < conv_values.size(); ++i) conv_values[i] = std::sin(static_cast<float>(i));
        pool_values.resize(3 * 2 * 2);
        for (std::size_t i = 0; i < pool_values.size(); ++i) pool_values[i] = static_cast<float>(i) - 5;
        input = {"input 1x6x5", 1, 6, 5, input_values.data()};
        maps = {{"0 Conv2D 3x4x4", 3, 4, 4, conv_values.data()}, {"1 MaxPool 3x2x2", 3, 2, 2, pool_values.data()}};
    }
};

}  // namespace

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(png)

BOOST_AUTO_TEST_CASE(round_trips_grey_and_rgb) {
    const fs::path dir = output_dir("png");
    const std::vector<std::uint8_t> grey{0, 64, 128, 255, 10, 20};
    typenet::write_png(dir / "grey.png", 3, 2, 1, grey);
    const DecodedImage g = decode(dir / "grey.png");
    BOOST_TEST(g.width == 3);
    BOOST_TEST(g.height == 2);
    BOOST_TEST(g.at(1, 0) == (Rgb{64, 64, 64}));
    BOOST_TEST(g.at(2, 1) == (Rgb{20, 20, 20}));

    const std::vector<std::uint8_t> rgb{255, 0, 0, 0, 255, 0};
    typenet::write_png(dir / "rgb.png", 2, 1, 3, rgb);
    const DecodedImage c = decode(dir / "rgb.png");
    BOOST_TEST(c.at(0, 0) == (Rgb{255, 0, 0}));
    BOOST_TEST(c.at(1, 0) == (Rgb{0, 255, 0}));
}

BOOST_AUTO_TEST_CASE(errors_name_the_path) {
    const std::vector<std::uint8_t> pixels(12, 0);
    const fs::path unwritable = fs::path("viz_test_output") / "no such folder" / "x.png";
    BOOST_CHECK_EXCEPTION(typenet::write_png(unwritable, 2, 2, 3, pixels), std::runtime_error,
                          [&](const std::runtime_error& e) { return contains(e.what(), unwritable.string()); });
    BOOST_CHECK_EXCEPTION(typenet::write_png("sizes.png", 3, 3, 3, pixels), std::invalid_argument,
                          [](const std::invalid_argument& e) {
                              return contains(e.what(), "sizes.png") && contains(e.what(), "27 bytes, got 12");
                          });
    BOOST_CHECK_THROW(typenet::write_png("alpha.png", 1, 3, 4, pixels), std::invalid_argument);
    BOOST_CHECK_THROW(typenet::write_png("empty.png", 0, 3, 1, {}), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(canvas)

BOOST_AUTO_TEST_CASE(draw_map_scales_to_the_maps_own_range) {
    typenet::Canvas canvas(8, 2, {1, 2, 3});
    const std::vector<float> values{-4, 0, 4, 6};  // 1x4
    const typenet::ValueRange range = canvas.draw_map(0, 0, values, 1, 4, 2);
    BOOST_TEST(range.min == -4.0f);
    BOOST_TEST(range.max == 6.0f);
    BOOST_TEST(canvas.pixel(0, 0) == (Rgb{0, 0, 0}));
    BOOST_TEST(canvas.pixel(1, 1) == (Rgb{0, 0, 0}));  // nearest-neighbour: a 2x2 block per value
    BOOST_TEST(canvas.pixel(2, 0) == (Rgb{102, 102, 102}));  // 4/10 of the way
    BOOST_TEST(canvas.pixel(7, 1) == (Rgb{255, 255, 255}));

    const std::vector<float> flat{3, 3};
    canvas.draw_map(0, 0, flat, 1, 2, 1);
    BOOST_TEST(canvas.pixel(0, 0) == (Rgb{128, 128, 128}));

    const std::vector<float> odd{1, std::numeric_limits<float>::quiet_NaN(), 2};
    canvas.draw_map(0, 0, odd, 1, 3, 1);
    BOOST_TEST(canvas.pixel(1, 0) == typenet::Canvas::non_finite_colour);
    BOOST_TEST(canvas.pixel(2, 0) == (Rgb{255, 255, 255}));

    BOOST_CHECK_THROW(canvas.draw_map(0, 0, odd, 2, 2, 1), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(text_stays_inside_its_measured_box) {
    const std::string text = "2 MaxPool 8x6x6";
    const std::size_t scale = 2;
    const std::size_t w = typenet::Canvas::text_width(text, scale);
    const std::size_t h = typenet::Canvas::text_height(text, scale);
    BOOST_TEST(w > text.size() * scale * 3);
    BOOST_TEST(h == typenet::Canvas::line_height * scale);

    typenet::Canvas canvas(w + 20, h + 20);
    canvas.draw_text(10, 10, text, {0, 0, 0}, scale);
    std::size_t inside = 0;
    std::size_t outside = 0;
    for (std::size_t y = 0; y < canvas.height(); ++y) {
        for (std::size_t x = 0; x < canvas.width(); ++x) {
            if (canvas.pixel(x, y) == Rgb{255, 255, 255}) continue;
            const bool in_box = x >= 10 && x < 10 + w && y >= 10 && y < 10 + h;
            (in_box ? inside : outside) += 1;
        }
    }
    BOOST_TEST(inside > 100u);
    BOOST_TEST(outside == 0u);

    // Characters stb_easy_font has no glyph for are drawn as '?' instead of reading out of bounds.
    BOOST_TEST(typenet::Canvas::text_width("\x01\xff", 1) == typenet::Canvas::text_width("??", 1));
}

BOOST_AUTO_TEST_CASE(drawing_is_clipped_to_the_canvas) {
    typenet::Canvas canvas(4, 4);
    canvas.fill_rect(2, 2, 100, 100, {9, 9, 9});
    canvas.draw_text(3, 3, "clipped", {0, 0, 0}, 3);
    BOOST_TEST(canvas.pixel(3, 3) == (Rgb{9, 9, 9}));
    BOOST_TEST(canvas.pixel(1, 1) == (Rgb{255, 255, 255}));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(preview)

BOOST_AUTO_TEST_CASE(png_has_the_announced_size_and_is_not_blank) {
    const fs::path dir = output_dir("preview");
    const SampleViews views;
    const std::vector<float> scores{0.1f, 0.05f, 0.6f, 0.25f};
    const fs::path path = dir / "nested" / "preview.png";
    typenet::write_preview(path, views.input, views.maps, scores, 3, 2);

    const typenet::PixelSize size = typenet::preview_size(views.input, views.maps, scores.size());
    const DecodedImage image = decode(path);
    BOOST_TEST(static_cast<std::size_t>(image.width) == size.width);
    BOOST_TEST(static_cast<std::size_t>(image.height) == size.height);
    BOOST_TEST(!image.uniform());

    // The size depends on the views' shapes and titles and the class count, never on values.
    std::vector<float> other_input(30, 0.5f);
    MapView other = views.input;
    other.values = other_input.data();
    BOOST_TEST((typenet::preview_size(other, views.maps, 4) == size));
    BOOST_TEST(typenet::preview_size(views.input, views.maps, 0).height < size.height);  // no chart
    BOOST_TEST(typenet::preview_size(views.input, views.maps, 60).width > size.width);
    BOOST_TEST((typenet::preview_size(views.input, std::span(views.maps).first(1), 4) != size));
}

BOOST_AUTO_TEST_CASE(each_channel_is_scaled_to_its_own_range) {
    const fs::path dir = output_dir("preview_range");
    // Channel 0 rises from its first to its last value, channel 1 falls over a very different
    // range, channel 2 is constant.
    const std::size_t h = 3;
    const std::size_t w = 4;
    std::vector<float> values(3 * h * w);
    for (std::size_t i = 0; i < h * w; ++i) {
        values[i] = static_cast<float>(i);
        values[h * w + i] = 1000.0f - 100.0f * static_cast<float>(i);
        values[2 * h * w + i] = 7.0f;
    }
    std::vector<float> input_values(4, 1.0f);
    input_values[0] = 0.0f;
    const MapView input{"input 1x2x2", 1, 2, 2, input_values.data()};
    const std::vector<MapView> maps{{"0 Test 3x3x4", 3, h, w, values.data()}};
    const fs::path path = dir / "range.png";
    typenet::write_preview(path, input, maps, std::vector<float>{0.2f, 0.8f}, 1, 1);

    const typenet::PreviewLayout layout = typenet::preview_layout(input, maps, 2);
    const DecodedImage image = decode(path);
    const auto& block = layout.maps.at(0);
    BOOST_REQUIRE(block.tiles.size() == 3u);
    BOOST_TEST(block.scale > 1u);  // small maps are upscaled
    BOOST_TEST(block.tiles[0].width == w * block.scale);
    BOOST_TEST(block.tiles[0].height == h * block.scale);

    BOOST_TEST(value_pixel(image, block.tiles[0], block.scale, 0, 0) == (Rgb{0, 0, 0}));
    BOOST_TEST(value_pixel(image, block.tiles[0], block.scale, h - 1, w - 1) == (Rgb{255, 255, 255}));
    // Value 4 of 0..11: round(4 / 11 * 255) = 93.
    BOOST_TEST(value_pixel(image, block.tiles[0], block.scale, 1, 0) == (Rgb{93, 93, 93}));
    BOOST_TEST(value_pixel(image, block.tiles[1], block.scale, 0, 0) == (Rgb{255, 255, 255}));
    BOOST_TEST(value_pixel(image, block.tiles[1], block.scale, h - 1, w - 1) == (Rgb{0, 0, 0}));
    BOOST_TEST(value_pixel(image, block.tiles[2], block.scale, 1, 1) == (Rgb{128, 128, 128}));
    // The input too: its minimum black, its maximum white.
    BOOST_TEST(value_pixel(image, layout.input.tiles.at(0), layout.input.scale, 0, 0) == (Rgb{0, 0, 0}));
    BOOST_TEST(value_pixel(image, layout.input.tiles.at(0), layout.input.scale, 1, 1) == (Rgb{255, 255, 255}));
}

BOOST_AUTO_TEST_CASE(expected_and_predicted_bars_have_their_own_colours) {
    const fs::path dir = output_dir("preview_bars");
    const SampleViews views;
    const std::vector<float> scores{0.9f, 0.8f, 0.7f, 0.85f};
    const fs::path path = dir / "bars.png";
    typenet::write_preview(path, views.input, views.maps, scores, 1, 3);
    const typenet::PreviewLayout layout = typenet::preview_layout(views.input, views.maps, scores.size());
    const DecodedImage image = decode(path);

    // All scores are positive, so every bar stands on the bottom of the plotting area.
    const auto bar_pixel = [&](std::size_t i) {
        return image.at(layout.bars.x + i * layout.slot_width + layout.slot_width / 2,
                        layout.bars.y + layout.bars.height - 3);
    };
    const Rgb plain = bar_pixel(0);
    const Rgb expected = bar_pixel(1);
    const Rgb predicted = bar_pixel(3);
    BOOST_TEST(plain == bar_pixel(2));
    BOOST_TEST(expected != plain);
    BOOST_TEST(predicted != plain);
    BOOST_TEST(expected != predicted);
    BOOST_TEST(plain != (Rgb{255, 255, 255}));
}

BOOST_AUTO_TEST_CASE(rejects_views_without_values) {
    const SampleViews views;
    const MapView broken{"broken", 1, 2, 2, nullptr};
    BOOST_CHECK_THROW(typenet::write_preview(output_dir("preview_broken") / "x.png", broken, views.maps,
                                             std::vector<float>{1.0f}, 0, 0),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
namespace {

typenet::History sample_history() {
    typenet::History history;
    history.iterations = {{0.5, 2.0, 0.25}, {1.0, 1.5, 0.5}, {1.5, 1.0, 0.625}, {2.0, 0.75, 0.75}};
    typenet::EpochRecord first;
    first.epoch = 1;
    first.train_loss = 1.5;
    first.train_accuracy = 0.5;
    first.validation_loss = 1.25;
    first.validation_accuracy = 0.5625;
    typenet::EpochRecord second;
    second.epoch = 2;
    second.train_loss = 0.75;
    second.train_accuracy = 0.75;
    second.validation_loss = 0.875;
    second.validation_accuracy = 0.6875;
    history.epochs = {first, second};
    typenet::Evaluation test;
    test.loss = 0.9;
    test.accuracy = 0.7;
    test.samples = 10;
    history.test = test;
    return history;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(curves)

BOOST_AUTO_TEST_CASE(csv_matches_the_history_line_by_line) {
    const fs::path dir = output_dir("curves_csv");
    typenet::write_history_csv(dir / "history.csv", sample_history());
    const std::vector<std::string> expected{
        "kind,progress,loss,accuracy",  //
        "train_iter,0.5,2,0.25",        //
        "train_iter,1,1.5,0.5",         //
        "train_iter,1.5,1,0.625",       //
        "train_iter,2,0.75,0.75",       //
        "train_epoch,1,1.5,0.5",        //
        "train_epoch,2,0.75,0.75",      //
        "validation,1,1.25,0.5625",     //
        "validation,2,0.875,0.6875",    //
        "test,2,0.9,0.7",
    };
    const std::vector<std::string> actual = lines_of(read_file(dir / "history.csv"));
    BOOST_TEST(actual == expected, boost::test_tools::per_element());

    // Epochs without validation get no validation row; no test, no test row.
    typenet::History partial = sample_history();
    partial.epochs[0].validation_loss.reset();
    partial.epochs[0].validation_accuracy.reset();
    partial.test.reset();
    const std::vector<std::string> partial_lines = lines_of(typenet::history_csv(partial));
    BOOST_TEST(partial_lines.size() == expected.size() - 2);
    BOOST_TEST(partial_lines.back() == "validation,2,0.875,0.6875");
}

/// Skips a test case, visibly, when gnuplot is not installed: Boost.Test counts it as skipped
/// (`--report_level=short` shows the count) and the reason goes to stderr, which CTest keeps.
boost::test_tools::assertion_result gnuplot_in_path(boost::unit_test::test_unit_id) {
    if (gnuplot_available()) return true;
    std::cerr << "viz_test: gnuplot is not in PATH: the rendering test is SKIPPED\n";
    boost::test_tools::assertion_result skipped(false);
    skipped.message() << "gnuplot is not in PATH";
    return skipped;
}

BOOST_AUTO_TEST_CASE(gnuplot_renders_curves_and_confusion, *boost::unit_test::precondition(gnuplot_in_path)) {
    const fs::path dir = output_dir("render");
    const typenet::RenderResult curves = typenet::render_training_curves(dir, sample_history(), {});
    BOOST_TEST(curves.rendered, curves.message);
    const DecodedImage picture = decode(dir / "curves.png");
    BOOST_TEST(picture.width > 0);
    BOOST_TEST(picture.height > 0);
    BOOST_TEST(!picture.uniform());
    BOOST_TEST(!fs::exists(dir / "curves.log"));  // nothing to report, so no log left behind

    typenet::ConfusionMatrix matrix(3);
    for (std::size_t t = 0; t < 3; ++t) {
        for (std::size_t p = 0; p < 3; ++p) {
            for (std::size_t k = 0; k < (t == p ? std::size_t{20} : t + p); ++k) matrix.add(t, p);
        }
    }
    const typenet::RenderResult confusion = typenet::render_confusion_matrix(dir, matrix, "it's a <test>");
    BOOST_TEST(confusion.rendered, confusion.message);
    const DecodedImage heat_map = decode(dir / "confusion.png");
    BOOST_TEST(heat_map.width > 0);
    BOOST_TEST(heat_map.height > 0);
    const std::string data = read_file(dir / "confusion.dat");
    BOOST_TEST(contains(data, "0 0 20\n"));
    BOOST_TEST(contains(data, "1 2 3\n"));  // predicted 1, true 2
}

BOOST_AUTO_TEST_CASE(missing_gnuplot_is_reported_not_thrown) {
    const fs::path dir = output_dir("no_gnuplot");
    // A stale picture from an earlier run must not survive a failed render.
    typenet::write_png(dir / "curves.png", 1, 1, 1, std::vector<std::uint8_t>{0});
    const typenet::RenderOptions options{.gnuplot = "/nonexistent/gnuplot"};
    typenet::RenderResult result;
    BOOST_CHECK_NO_THROW(result = typenet::render_training_curves(dir, sample_history(), options));
    BOOST_TEST(!result.rendered);
    BOOST_TEST(contains(result.message, "curves.gp"), result.message);
    BOOST_TEST(contains(result.message, "gnuplot curves.gp"), result.message);
    BOOST_TEST(contains(result.message, dir.string()), result.message);
    BOOST_TEST(fs::exists(dir / "curves.csv"));
    BOOST_TEST(fs::exists(dir / "curves.gp"));
    BOOST_TEST(!fs::exists(dir / "curves.png"));
    const std::string script = read_file(dir / "curves.gp");
    BOOST_TEST(contains(script, "set output 'curves.png'"));
    BOOST_TEST(contains(script, "'curves.csv'"));
    BOOST_TEST(contains(script, "multiplot"));

    typenet::ConfusionMatrix matrix(2);
    matrix.add(0, 0);
    matrix.add(1, 0);
    typenet::RenderResult confusion;
    BOOST_CHECK_NO_THROW(confusion = typenet::render_confusion_matrix(dir, matrix, "test", options));
    BOOST_TEST(!confusion.rendered);
    BOOST_TEST(contains(confusion.message, "gnuplot confusion.gp"), confusion.message);
    BOOST_TEST(fs::exists(dir / "confusion.dat"));
    BOOST_TEST(fs::exists(dir / "confusion.gp"));
    BOOST_CHECK_THROW(typenet::render_confusion_matrix(dir, typenet::ConfusionMatrix(0), "empty"),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(failing_gnuplot_is_reported_with_its_log) {
    const fs::path dir = output_dir("failing_gnuplot");
    // `false` starts fine and exits with status 1, like gnuplot rejecting a script.
    const typenet::RenderResult result = typenet::render_training_curves(dir, sample_history(), {.gnuplot = "false"});
    BOOST_TEST(!result.rendered);
    BOOST_TEST(contains(result.message, "exited with status 1"), result.message);
    BOOST_TEST(fs::exists(dir / "curves.gp"));
}

BOOST_AUTO_TEST_CASE(empty_history_is_not_rendered) {
    const fs::path dir = output_dir("empty_history");
    const typenet::RenderResult result = typenet::render_training_curves(dir, typenet::History{}, {});
    BOOST_TEST(!result.rendered);
    BOOST_TEST(lines_of(read_file(dir / "curves.csv")).size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(report)

BOOST_AUTO_TEST_CASE(references_pictures_and_explains_missing_ones) {
    const fs::path dir = output_dir("report");
    typenet::write_png(dir / "confusion.png", 1, 1, 1, std::vector<std::uint8_t>{0});
    fs::create_directories(dir / "previews");
    typenet::write_png(dir / "previews" / "epoch 1.png", 1, 1, 1, std::vector<std::uint8_t>{0});
    // curves.png is missing but its script is there, as after a run without gnuplot.
    typenet::render_training_curves(dir, sample_history(), {.gnuplot = "/nonexistent/gnuplot"});

    const fs::path report = typenet::write_report(
        dir, "run <1>", {{"test accuracy", "70.00 %"}, {"loss & more", "0.9"}},
        {"curves.png", "confusion.png", "previews/epoch 1.png", "gone.png"});
    BOOST_TEST(report == dir / "report.html");
    const std::string html = read_file(report);
    BOOST_TEST(contains(html, "<title>run &lt;1&gt;</title>"));
    BOOST_TEST(contains(html, "<td class=\"value\">70.00 %</td>"));
    BOOST_TEST(contains(html, "loss &amp; more"));
    BOOST_TEST(contains(html, "<img src=\"confusion.png\""));
    BOOST_TEST(contains(html, "<img src=\"previews/epoch%201.png\""));
    BOOST_TEST(!contains(html, "<img src=\"curves.png\""));
    BOOST_TEST(contains(html, "<code>gnuplot curves.gp</code>"));
    BOOST_TEST(contains(html, "<b>gone.png</b> is missing"));
    BOOST_TEST(contains(html, "<style>"));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(network_maps)

using SmallNet = typenet::Network<typenet::Input<1, 12, 12>, typenet::Conv2D<4, typenet::Kernel<3>>,
                                  typenet::LeakyReLU<>, typenet::MaxPool<2>, typenet::Flatten, typenet::Dense<3>>;

BOOST_AUTO_TEST_CASE(collects_every_rank_3_output) {
    auto net = std::make_unique<SmallNet>();
    typenet::initialize(*net, typenet::Init::he_uniform, 7);
    SmallNet::input_tensor x;
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 7) % 12) / 11.0f;
    net->forward(x);

    const MapView input = typenet::input_map(*net);
    BOOST_TEST(input.title == "input 1x12x12");
    BOOST_TEST(input.channels == 1u);
    BOOST_TEST(input.height == 12u);
    BOOST_TEST(input.width == 12u);
    BOOST_TEST(input.values == net->input().data());

    const std::vector<MapView> maps = typenet::feature_maps(*net);
    BOOST_REQUIRE(maps.size() == 3u);  // Flatten and Dense outputs are not images
    BOOST_TEST(maps[0].title == "0 Conv2D 4x10x10");
    BOOST_TEST(maps[1].title == "1 LeakyReLU 4x10x10");
    BOOST_TEST(maps[2].title == "2 MaxPool 4x5x5");
    BOOST_TEST(maps[2].channels == 4u);
    BOOST_TEST(maps[2].height == 5u);
    BOOST_TEST(maps[2].width == 5u);
    BOOST_TEST(maps[0].values == net->output_of<0>().data());
    BOOST_TEST(maps[2].values == net->output_of<2>().data());

    const fs::path path = output_dir("network") / "preview.png";
    const auto& out = net->output();
    const std::vector<float> scores(out.begin(), out.end());
    typenet::write_preview(path, input, maps, scores, 0, 1);
    const DecodedImage image = decode(path);
    const typenet::PixelSize size = typenet::preview_size(input, maps, scores.size());
    BOOST_TEST(static_cast<std::size_t>(image.width) == size.width);
    BOOST_TEST(static_cast<std::size_t>(image.height) == size.height);
}

/// Twenty 12x12 images of three classes, for the preview writer.
struct Images {
    std::vector<float> values = std::vector<float>(20 * 144);
    Images() {
        for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>((i * 37) % 101) / 100.0f;
    }
    std::size_t size() const { return 20; }
    std::span<const float> image(std::size_t i) const { return {values.data() + i * 144, 144}; }
    std::size_t label(std::size_t i) const { return i % 3; }
};

/// Trains SmallNet for one epoch with previews every `ratio`; returns the trained parameters.
SmallNet::parameter_tensor train_with_previews(double ratio, const fs::path& dir, std::size_t& written) {
    auto net = std::make_unique<SmallNet>();
    typenet::initialize(*net, typenet::Init::he_uniform, 3);
    auto optimizer = typenet::make_optimizer<SmallNet>(typenet::for_all_layers(typenet::Adam{}));
    auto trainer = typenet::make_trainer<typenet::SoftmaxCrossEntropy, 2>(*net, optimizer);
    const Images images;
    typenet::PreviewWriter previews(*net, images, dir, ratio);
    typenet::FitOptions options;
    options.progress = typenet::ProgressStyle::none;
    previews.attach(options, images.size());
    trainer.fit(images, options);
    written = previews.written().size();
    return net->parameters();
}

BOOST_AUTO_TEST_CASE(preview_writer_writes_one_png_per_period_and_changes_no_result) {
    const fs::path off_dir = output_dir("previews-off"), on_dir = output_dir("previews-on");
    std::size_t off_count = 0, on_count = 0;
    const auto without = train_with_previews(0.0, off_dir, off_count);
    const auto with = train_with_previews(0.25, on_dir, on_count);

    BOOST_TEST(off_count == 0u);
    BOOST_TEST(fs::is_empty(off_dir));  // previews off: not a single file
    BOOST_TEST(on_count == 4u);
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(on_dir)) {
        names.push_back(entry.path().filename().string());
        BOOST_TEST(decode(entry.path()).width > 0);
    }
    std::sort(names.begin(), names.end());
    // Every 5 samples, at the first batch boundary (batches of 2) at or past it.
    BOOST_TEST(names == (std::vector<std::string>{"preview-e01-s000006.png", "preview-e01-s000010.png",
                                                  "preview-e01-s000016.png", "preview-e01-s000020.png"}),
               boost::test_tools::per_element());
    // The preview forward passes run between steps: the weights come out bit for bit the same.
    BOOST_TEST((with == without));
}

BOOST_AUTO_TEST_SUITE_END()
