// Training throughput (samples/s) of the seed network and LeNet-5, and LeNet-5 inference latency.
// Run from a Release build (preset "release"); not part of CTest, since timings are not tests.
#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include <typenet/train/trainer.hpp>

#include "networks.hpp"

using namespace typenet;
using clock_type = std::chrono::steady_clock;

template <class Loss, std::size_t Batch, class Net, class Opt>
double samples_per_second(Net& net, Opt& optimizer, const bench::RandomImages& data, int repeats) {
    auto trainer = make_trainer<Loss, Batch>(net, optimizer);
    FitOptions options;
    options.progress = ProgressStyle::none;
    double best = 0;
    for (int r = 0; r < repeats; ++r) {  // best of: the least disturbed by other processes
        const History history = trainer.fit(data, options);
        best = std::max(best, history.epochs.back().samples_per_second);
    }
    return best;
}

int main() {
    const bench::RandomImages data(20000);

    auto seed = std::make_unique<bench::SeedNet>();
    initialize(*seed, Init::xavier_uniform, 1);
    auto seed_optimizer = make_optimizer<bench::SeedNet>(for_layers<"Conv2D">(SGD{.learning_rate = 0.01}),
                                                         for_layers<"Dense">(Adam{.learning_rate = 0.01}));
    fmt::print("seed network, MSE, SGD+Adam, batch 1:  {:>9.0f} samples/s\n",
               samples_per_second<MeanSquaredError, 1>(*seed, seed_optimizer, data, 5));

    auto lenet = std::make_unique<bench::LeNet5>();
    initialize(*lenet, Init::he_uniform, 1);
    auto lenet_optimizer = std::make_unique<decltype(make_optimizer<bench::LeNet5>(for_all_layers(Adam{})))>(
        for_all_layers(Adam{.learning_rate = 0.001}));
    fmt::print("LeNet-5, cross-entropy, Adam, batch 32: {:>9.0f} samples/s\n",
               samples_per_second<SoftmaxCrossEntropy, 32>(*lenet, *lenet_optimizer, data, 2));

    auto inference = std::make_unique<Inference<bench::LeNet5>>(*lenet);
    bench::LeNet5::input_tensor input{};
    std::vector<double> micros;
    float sink = 0;
    for (int round = 0; round < 50; ++round) {
        const auto image = data.image(std::size_t(round));
        std::copy(image.begin(), image.end(), input.begin());
        constexpr int calls = 200;
        const auto start = clock_type::now();
        for (int i = 0; i < calls; ++i) sink += inference->predict(input)[std::size_t(i) % 10];
        micros.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - start).count() / calls);
    }
    std::sort(micros.begin(), micros.end());
    fmt::print("LeNet-5 inference, batch 1:             {:>9.2f} us (median of 50 x 200 calls; {})\n",
               micros[micros.size() / 2], sink != 0 ? "ok" : "-");
}
