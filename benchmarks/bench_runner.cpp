// typenet's side of scripts/bench.sh, which runs benchmarks/pytorch_bench.py on the same networks,
// shapes, losses and optimizers and joins the two into one table. Prints key=value lines with the
// keys that script prints. Every figure is the median of several runs after a warm-up run: the
// middle of the spread, where a best-of would favour whichever side got luckier.
// TYPENET_BENCH_QUICK=1 makes every run short (a check that everything works, not a measurement).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <typenet/train/trainer.hpp>
#include <typenet/train/workers.hpp>

#include "networks.hpp"

using namespace typenet;

namespace {

using clock_type = std::chrono::steady_clock;

const bool quick = [] {
    const char* value = std::getenv("TYPENET_BENCH_QUICK");
    return value != nullptr && std::string_view(value) == "1";
}();

float sink = 0;  // outputs are added here so that no pass can be optimised away

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

/// Median seconds of `work()` over `runs` runs, after one more that warms caches and branch predictors.
template <class Work>
double median_seconds(int runs, Work&& work) {
    work();
    std::vector<double> seconds;
    for (int r = 0; r < runs; ++r) {
        const auto start = clock_type::now();
        work();
        seconds.push_back(std::chrono::duration<double>(clock_type::now() - start).count());
    }
    return median(seconds);
}

/// Median samples/s of `runs` epochs over `samples` random images, after a warm-up epoch. `fit`
/// times each epoch itself, as the examples report it (shuffling and loading included).
template <class Loss, std::size_t Batch, class Net, class Opt>
double training_rate(Net& net, Opt& optimizer, std::size_t samples, int runs, std::size_t threads = 1) {
    const bench::RandomImages data(samples);
    auto trainer = make_trainer<Loss, Batch>(net, optimizer);
    trainer.use_threads(threads);
    FitOptions options;
    options.progress = ProgressStyle::none;
    std::vector<double> rates;
    for (int r = 0; r <= runs; ++r) {
        const double rate = trainer.fit(data, options).epochs.back().samples_per_second;
        if (r > 0) rates.push_back(rate);
    }
    return median(rates);
}

constexpr std::size_t big_batch = 256;

/// Seconds per 256 images, both ways typenet offers: Inference::predict on one
/// image after another, and the network's batched forward pass in inference mode.
struct BatchSeconds {
    double predict_loop = 0, batched = 0;
};

template <class Net>
BatchSeconds batch_inference_seconds(Net& net, int runs, const Parallel* parallel = nullptr) {
    constexpr std::size_t size = Net::input_shape_type::size;
    auto batch = std::make_unique<typename Net::template Batch<big_batch>>();  // megabytes: not on the stack
    Random random(2);
    for (std::size_t i = 0; i < big_batch * size; ++i) batch->inputs[i] = float(random.uniform());
    std::vector<typename Net::input_tensor> images(big_batch);
    for (std::size_t b = 0; b < big_batch; ++b)
        std::copy_n(batch->inputs.data() + b * size, size, images[b].begin());

    auto inference = std::make_unique<Inference<Net>>(net);
    BatchSeconds result;
    result.predict_loop = median_seconds(runs, [&] {
        for (const auto& image : images) sink += inference->predict(image)[0];
    });
    result.batched = median_seconds(runs, [&] {
        net.forward(*batch, Mode::inference, 0, big_batch, parallel);
        sink += batch->outputs[0];
    });
    return result;
}

/// Seconds per 256 images of Net's top-level convolutions, each run alone as a network of its own
/// (bench::layer_alone) through the same kind of pass: a pass cannot be timed layer by layer.
template <class Net>
double convolution_seconds(bool batched, int runs) {
    return []<std::size_t... I>(bool batched_pass, int repeats, std::index_sequence<I...>) {
        const auto layer_seconds = [&]<std::size_t L>(std::integral_constant<std::size_t, L>) {
            if constexpr (bench::is_convolution<Net, L>) {
                using Alone = bench::layer_alone<Net, L>;
                static_assert(bench::convolution_flops<Alone> > 0);
                auto alone = std::make_unique<Alone>();
                initialize(*alone, Init::he_uniform, 1);
                const BatchSeconds seconds = batch_inference_seconds(*alone, repeats);
                return batched_pass ? seconds.batched : seconds.predict_loop;
            } else {
                return 0.0;
            }
        };
        return (0.0 + ... + layer_seconds(std::integral_constant<std::size_t, I>{}));
    }(batched, runs, std::make_index_sequence<Net::layer_count>{});
}

/// Median microseconds of one predict, over rounds of 200 calls (one call is too short to time).
template <class Net>
double latency_us(const Net& net, int rounds) {
    auto inference = std::make_unique<Inference<Net>>(net);
    const bench::RandomImages data{std::size_t(rounds)};
    typename Net::input_tensor input{};
    std::vector<double> micros;
    for (int round = -1; round < rounds; ++round) {  // round -1 warms up
        const auto image = data.image(std::size_t(std::max(round, 0)));
        std::copy(image.begin(), image.end(), input.begin());
        constexpr int calls = 200;
        const auto start = clock_type::now();
        for (int i = 0; i < calls; ++i) sink += inference->predict(input)[std::size_t(i) % 10];
        if (round >= 0) micros.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - start).count() / calls);
    }
    return median(micros);
}

template <class Net>
std::unique_ptr<Net> make_network(Init scheme) {
    auto net = std::make_unique<Net>();  // a network holds its activations: kept off the stack
    initialize(*net, scheme, 1);
    return net;
}

}  // namespace

/// The same work on one thread and on every core (run unpinned): how the threads scale.
void multicore(int runs) {
    const std::size_t threads = hardware_threads();
    fmt::print("threads={}\n", threads);
    for (const std::size_t t : {std::size_t{1}, threads}) {
        const char* suffix = t == 1 ? "1" : "n";
        auto lenet = make_network<bench::LeNet5>(Init::he_uniform);
        auto lenet_adam = std::make_unique<decltype(make_optimizer<bench::LeNet5>(for_all_layers(Adam{})))>(
            for_all_layers(Adam{.learning_rate = 0.001}));
        fmt::print("lenet_train64_{}={:.1f}\n", suffix,
                   training_rate<SoftmaxCrossEntropy, 64>(*lenet, *lenet_adam, quick ? 2048 : 8192, runs, t));
        const Workers workers(t, 0);
        const double seconds = batch_inference_seconds(*lenet, quick ? 5 : 30, &workers).batched;
        fmt::print("lenet_b256_batched_{}={:.1f}\n", suffix, big_batch / seconds);
        auto resnet = make_network<bench::ResNet>(Init::he_uniform);
        auto resnet_adam = std::make_unique<decltype(make_optimizer<bench::ResNet>(for_all_layers(Adam{})))>(
            for_all_layers(Adam{.learning_rate = 0.001}));
        fmt::print("resnet_train64_{}={:.1f}\n", suffix,
                   training_rate<SoftmaxCrossEntropy, 64>(*resnet, *resnet_adam, quick ? 256 : 1280, runs, t));
    }
}

int main(int argc, char** argv) {
    const int runs = quick ? 2 : 5;
    if (argc > 1 && std::string_view(argv[1]) == "--multicore") {
        multicore(runs);
        return 0;
    }
    fmt::print("params_seed={}\nparams_lenet={}\nparams_resnet={}\n", bench::SeedNet::parameter_count,
               bench::LeNet5::parameter_count, bench::ResNet::parameter_count);

    {  // The seed network as mnist_seed trains it and throughput.cpp measures it.
        auto seed = make_network<bench::SeedNet>(Init::xavier_uniform);
        auto optimizer = make_optimizer<bench::SeedNet>(for_layers<"Conv2D">(SGD{.learning_rate = 0.01}),
                                                        for_layers<"Dense">(Adam{.learning_rate = 0.01}));
        fmt::print("seed_train={:.1f}\n", training_rate<MeanSquaredError, 1>(*seed, optimizer, quick ? 5000 : 20000, runs));
    }

    auto lenet = make_network<bench::LeNet5>(Init::he_uniform);
    fmt::print("lenet_latency_us={:.2f}\n", latency_us(*lenet, quick ? 10 : 50));

    // Batch 256: both ways, and the faster one in the table.
    const int batch_runs = quick ? 5 : 30;
    const BatchSeconds whole = batch_inference_seconds(*lenet, batch_runs);
    const bool batched = whole.batched < whole.predict_loop;
    const double seconds = std::min(whole.batched, whole.predict_loop);
    const double conv_seconds = convolution_seconds<bench::LeNet5>(batched, batch_runs);
    constexpr double flops = double(big_batch) * bench::convolution_flops<bench::LeNet5>;
    fmt::print("lenet_b256={:.1f}\nlenet_b256_predict_loop={:.1f}\nlenet_b256_batched={:.1f}\nlenet_b256_path={}\n",
               big_batch / seconds, big_batch / whole.predict_loop, big_batch / whole.batched,
               batched ? "batched forward, inference mode" : "Inference::predict, one image after another");
    fmt::print("lenet_conv_gflops={:.2f}\nlenet_conv_share={:.3f}\nlenet_conv_mflop_per_image={:.4f}\n",
               flops / conv_seconds / 1e9, conv_seconds / seconds, bench::convolution_flops<bench::LeNet5> / 1e6);

    {
        auto optimizer = std::make_unique<decltype(make_optimizer<bench::LeNet5>(for_all_layers(Adam{})))>(
            for_all_layers(Adam{.learning_rate = 0.001}));
        fmt::print("lenet_train32={:.1f}\n",
                   training_rate<SoftmaxCrossEntropy, 32>(*lenet, *optimizer, quick ? 2048 : 8192, runs));
    }
    {
        auto resnet = make_network<bench::ResNet>(Init::he_uniform);
        auto optimizer = std::make_unique<decltype(make_optimizer<bench::ResNet>(for_all_layers(Adam{})))>(
            for_all_layers(Adam{.learning_rate = 0.001}));
        fmt::print("resnet_train64={:.1f}\n",
                   training_rate<SoftmaxCrossEntropy, 64>(*resnet, *optimizer, quick ? 256 : 1280, runs));
    }
    fmt::print("typenet_check={}\n", sink != 0 ? "ok" : "zero");
}
