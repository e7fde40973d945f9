// End to end: IDX files written here -> load_mnist -> the seed network trains -> far above chance.
#define BOOST_TEST_MODULE mnist_end_to_end
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include <typenet/data/idx.hpp>
#include <typenet/data/mnist.hpp>
#include <typenet/train/trainer.hpp>
#include <typenet/typenet.hpp>

using namespace typenet;
namespace fs = std::filesystem;

namespace {

/// Class k is a bright 8x8 block at one of ten places, moved by up to 2 pixels, on noise.
void write_blocks(const fs::path& images, const fs::path& labels, std::size_t count, std::uint64_t seed) {
    Random random(seed);
    std::vector<std::uint8_t> pixels(count * 784), classes(count);
    for (std::size_t i = 0; i < count; ++i) {
        const auto k = std::uint8_t(random.below(10));
        classes[i] = k;
        std::uint8_t* image = pixels.data() + i * 784;
        for (std::size_t p = 0; p < 784; ++p) image[p] = std::uint8_t(random.below(60));
        const std::size_t top = 2 + (k / 5) * 12 + random.below(5), left = 1 + (k % 5) * 4 + random.below(3);
        for (std::size_t y = top; y < top + 8 && y < 28; ++y)
            for (std::size_t x = left; x < left + 8 && x < 28; ++x) image[y * 28 + x] = 255;
    }
    write_idx_images(images, count, 28, 28, pixels);
    write_idx_labels(labels, classes);
}

using SeedNet = Network<Input<1, 28, 28>, Conv2D<8, Kernel<3>, Stride<2>>, LeakyReLU<>, Conv2D<2, Kernel<3>, Stride<2>>,
                        LeakyReLU<>, Flatten, Dense<72>, Sigmoid, Dense<10>, Sigmoid>;

}  // namespace

BOOST_AUTO_TEST_CASE(seed_network_learns_synthetic_idx_data) {
    const fs::path dir = fs::path("synthetic-blocks");
    fs::create_directories(dir);
    write_blocks(dir / "train-images-idx3-ubyte", dir / "train-labels-idx1-ubyte", 900, 1);
    write_blocks(dir / "t10k-images-idx3-ubyte", dir / "t10k-labels-idx1-ubyte", 300, 2);

    MnistOptions options;
    options.validation = 100;
    const MnistSplits data = load_mnist(dir, options);
    BOOST_TEST(data.train.size() == 800u);
    BOOST_TEST(data.validation.size() == 100u);
    BOOST_TEST(data.test.size() == 300u);

    auto net = std::make_unique<SeedNet>();
    initialize(*net, Init::xavier_uniform, 1);
    auto optimizer = make_optimizer<SeedNet>(for_layers<"Conv2D">(SGD{.learning_rate = 0.01}),
                                             for_layers<"Dense">(Adam{.learning_rate = 0.01}));
    auto trainer = make_trainer<MeanSquaredError>(*net, optimizer);
    FitOptions fit;
    fit.progress = ProgressStyle::none;
    const History history = trainer.fit(data.train, &data.validation, fit);  // 800 steps at batch 1
    const Evaluation test = trainer.evaluate(data.test);
    BOOST_TEST_MESSAGE("test accuracy " << test.accuracy);
    BOOST_TEST(test.accuracy > 0.6);  // chance is 0.1
    BOOST_TEST(*history.epochs.back().validation_accuracy > 0.6);
    BOOST_TEST(test.confusion.total() == 300u);
    fs::remove_all(dir);
}
