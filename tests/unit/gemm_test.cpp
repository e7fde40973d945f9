// The register-blocked products of detail/gemm.hpp and the convolution built on them, against
// plain loops summed in double: sizes that leave remainders in every tile, both ways of
// accumulating weight gradients, and convolutions with odd sizes, strides and padding; Dense's
// batched passes and max pooling's vector backward against their per-sample forms. The same
// file is built a second time for AVX2 + FMA (gemm_avx2_test), so both vector widths are covered.
#define BOOST_TEST_MODULE gemm
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include <typenet/detail/gemm.hpp>
#include <typenet/layers/conv2d.hpp>
#include <typenet/layers/dense.hpp>
#include <typenet/layers/pool.hpp>
#include <typenet/train/workers.hpp>

using namespace typenet;

namespace {

template <class T>
std::vector<T> random_values(std::size_t count, unsigned seed) {
    std::mt19937 generator(seed);
    std::uniform_real_distribution<double> uniform(-1, 1);
    std::vector<T> values(count);
    for (auto& v : values) v = T(uniform(generator));
    return values;
}

template <class T>
double tolerance() {
    return sizeof(T) == sizeof(float) ? 2e-5 : 1e-12;
}

template <class T>
void check_close(const std::vector<T>& got, const std::vector<double>& expected, double scale) {
    BOOST_REQUIRE_EQUAL(got.size(), expected.size());
    for (std::size_t i = 0; i < got.size(); ++i)
        BOOST_TEST(std::abs(double(got[i]) - expected[i]) <= tolerance<T>() * scale, "entry " << i << ": " << got[i] << " vs " << expected[i]);
}

template <class T, std::size_t M, std::size_t N, std::size_t K>
void check_bias_product() {
    const auto a = random_values<T>(M * K, 1), bias = random_values<T>(M, 2), b = random_values<T>(K * N, 3);
    std::vector<T> c(M * N);
    detail::bias_product<M, N, K>(a.data(), bias.data(), b.data(), c.data());
    std::vector<double> expected(M * N);
    for (std::size_t m = 0; m < M; ++m)
        for (std::size_t n = 0; n < N; ++n) {
            double sum = bias[m];
            for (std::size_t k = 0; k < K; ++k) sum += double(a[m * K + k]) * b[k * N + n];
            expected[m * N + n] = sum;
        }
    check_close(c, expected, K);
}

template <class T, std::size_t M, std::size_t K, std::size_t N>
void check_accumulate_products() {
    const auto a = random_values<T>(M * N, 4), b = random_values<T>(K * N, 5);
    auto c = random_values<T>(M * K, 6);  // accumulates onto what is there
    std::vector<double> expected(c.begin(), c.end());
    for (std::size_t m = 0; m < M; ++m)
        for (std::size_t k = 0; k < K; ++k)
            for (std::size_t n = 0; n < N; ++n) expected[m * K + k] += double(a[m * N + n]) * b[k * N + n];
    detail::accumulate_products<M, K, N>(a.data(), b.data(), c.data());
    check_close(c, expected, N);
}

template <class T, std::size_t Rows, std::size_t M, std::size_t N, std::size_t Lda>
void check_transposed_product() {
    const auto a = random_values<T>(M * Lda, 7), b = random_values<T>(M * N, 8);
    std::vector<T> c(Rows * N);
    constexpr std::size_t first = Lda - Rows;  // the last columns of A
    detail::transposed_product<Rows, M, N, Lda>(a.data() + first, b.data(), c.data());
    std::vector<double> expected(Rows * N);
    for (std::size_t t = 0; t < Rows; ++t)
        for (std::size_t n = 0; n < N; ++n)
            for (std::size_t m = 0; m < M; ++m) expected[t * N + n] += double(a[m * Lda + first + t]) * b[m * N + n];
    check_close(c, expected, M);
}

/// Conv2D's forward and backward against the definition, summed in double.
template <class T, std::size_t C, std::size_t H, std::size_t W, class Layer>
void check_convolution() {
    using Bound = typename Layer::template bound<Shape<C, H, W>, T>;
    constexpr std::size_t F = Layer::filters, KH = Layer::kernel_h, KW = Layer::kernel_w;
    constexpr std::size_t OH = Bound::OH, OW = Bound::OW;
    const auto params = random_values<T>(Bound::parameter_count, 9), x = random_values<T>(C * H * W, 10),
               dy = random_values<T>(F * OH * OW, 11);
    auto input_at = [&](std::size_t c, std::size_t oy, std::size_t ox, std::size_t ky, std::size_t kx) -> std::ptrdiff_t {
        const auto iy = std::ptrdiff_t(oy * Layer::stride_h + ky) - std::ptrdiff_t(Layer::pad_h);
        const auto ix = std::ptrdiff_t(ox * Layer::stride_w + kx) - std::ptrdiff_t(Layer::pad_w);
        if (iy < 0 || ix < 0 || iy >= std::ptrdiff_t(H) || ix >= std::ptrdiff_t(W)) return -1;
        return (std::ptrdiff_t(c) * std::ptrdiff_t(H) + iy) * std::ptrdiff_t(W) + ix;
    };
    std::vector<double> y(F * OH * OW), dw(Bound::parameter_count), dx(C * H * W);
    for (std::size_t f = 0; f < F; ++f)
        for (std::size_t oy = 0; oy < OH; ++oy)
            for (std::size_t ox = 0; ox < OW; ++ox) {
                const std::size_t o = (f * OH + oy) * OW + ox;
                double sum = params[F * C * KH * KW + f];
                for (std::size_t c = 0; c < C; ++c)
                    for (std::size_t ky = 0; ky < KH; ++ky)
                        for (std::size_t kx = 0; kx < KW; ++kx) {
                            const auto i = input_at(c, oy, ox, ky, kx);
                            if (i < 0) continue;
                            const std::size_t w = ((f * C + c) * KH + ky) * KW + kx;
                            sum += double(params[w]) * x[std::size_t(i)];
                            dw[w] += double(dy[o]) * x[std::size_t(i)];
                            dx[std::size_t(i)] += double(dy[o]) * params[w];
                        }
                y[o] = sum;
                dw[F * C * KH * KW + f] += dy[o];
            }

    std::vector<T> got_y(y.size()), got_dw(dw.size()), got_dx(dx.size()), columns(Bound::scratch_size);
    Bound::forward(params.data(), TensorView<Shape<C, H, W>, const T>{x.data()}, TensorView<typename Bound::output_shape, T>{got_y.data()},
                   columns.data());
    Bound::template backward<true>(params.data(), got_dw.data(), TensorView<Shape<C, H, W>, const T>{x.data()},
                                   TensorView<typename Bound::output_shape, const T>{got_y.data()},
                                   TensorView<typename Bound::output_shape, const T>{dy.data()},
                                   TensorView<Shape<C, H, W>, T>{got_dx.data()}, columns.data());
    check_close(got_y, y, C * KH * KW);
    check_close(got_dw, dw, OH * OW);
    check_close(got_dx, dx, F * KH * KW);

    // Inference's forward, which keeps nothing for backward (read from a padded copy at stride
    // 1): the same bits as forward, whatever its scratch held before.
    std::vector<T> inferred(y.size()), scratch(Bound::scratch_size, std::numeric_limits<T>::quiet_NaN());
    Bound::infer(params.data(), TensorView<Shape<C, H, W>, const T>{x.data()},
                 TensorView<typename Bound::output_shape, T>{inferred.data()}, scratch.data());
    BOOST_TEST(std::memcmp(inferred.data(), got_y.data(), got_y.size() * sizeof(T)) == 0);
}

/// Whether Conv2D<Layer> on C x H x W inputs of T runs inference from a padded copy of its input.
template <class T, std::size_t C, std::size_t H, std::size_t W, class Layer>
constexpr bool direct = Layer::template bound<Shape<C, H, W>, T>::direct;

}  // namespace

BOOST_AUTO_TEST_CASE(bias_product_matches_the_definition) {
    check_bias_product<float, 1, 1, 1>();
    check_bias_product<float, 6, 784, 25>();   // LeNet-5's first convolution
    check_bias_product<float, 13, 49, 17>();   // remainders in rows, columns and the tile width
    check_bias_product<float, 32, 33, 288>();
    check_bias_product<double, 7, 31, 9>();
    check_bias_product<double, 16, 196, 144>();
    check_bias_product<float, 5, 12, 7>();     // a last tile overlapping the one before
    check_bias_product<float, 3, 9, 4>();
    check_bias_product<float, 64, 49, 576>();  // the residual network's 7x7 stage
}

BOOST_AUTO_TEST_CASE(accumulate_products_matches_the_definition_both_ways) {
    check_accumulate_products<float, 2, 72, 36>();    // few rows: one folded dot product per entry
    check_accumulate_products<float, 6, 25, 784>();
    check_accumulate_products<float, 3, 5, 17>();
    check_accumulate_products<float, 8, 9, 169>();    // rows fill vectors: outer products
    check_accumulate_products<float, 16, 144, 196>();
    check_accumulate_products<float, 32, 13, 49>();
    check_accumulate_products<float, 24, 7, 300>();   // more positions than one chunk of the turned rows
    check_accumulate_products<double, 3, 9, 16>();
    check_accumulate_products<double, 16, 9, 40>();
    check_accumulate_products<double, 4, 18, 25>();
}

BOOST_AUTO_TEST_CASE(transposed_product_matches_the_definition) {
    check_transposed_product<float, 1, 3, 5, 4>();
    check_transposed_product<float, 6, 16, 196, 144>();
    check_transposed_product<float, 5, 32, 49, 288>();
    check_transposed_product<double, 3, 7, 33, 10>();
    check_transposed_product<float, 4, 9, 12, 6>();
    check_transposed_product<float, 9, 64, 100, 576>();
}

BOOST_AUTO_TEST_CASE(convolutions_match_the_definition) {
    check_convolution<float, 1, 28, 28, Conv2D<6, Kernel<5>, Pad<2>>>();
    check_convolution<float, 6, 14, 14, Conv2D<16, Kernel<5>>>();
    check_convolution<float, 16, 14, 14, Conv2D<32, Kernel<3>, Stride<2>, Pad<same>>>();
    check_convolution<float, 3, 9, 11, Conv2D<5, Kernel<3, 2>, Stride<2, 3>, Pad<1>>>();
    check_convolution<float, 1, 28, 28, Conv2D<2, Kernel<3>, Stride<2>>>();
    check_convolution<double, 16, 7, 7, Conv2D<24, Kernel<1>>>();
    check_convolution<double, 2, 5, 5, Conv2D<8, Kernel<5>, Pad<same>>>();
    // Rows of whole vectors or of 16 and more, read from the input directly in inference.
    check_convolution<float, 4, 10, 10, Conv2D<16, Kernel<3>>>();
    check_convolution<float, 2, 9, 20, Conv2D<7, Kernel<3, 5>, Pad<same>>>();
    check_convolution<float, 3, 16, 16, Conv2D<13, Kernel<3>, Pad<same>>>();
    check_convolution<double, 2, 6, 16, Conv2D<5, Kernel<3>, Pad<same>>>();
    // Rows too short for vectors: shifted copies of the input, or the input itself for one column.
    check_convolution<float, 16, 7, 7, Conv2D<24, Kernel<1>>>();
    check_convolution<float, 3, 6, 5, Conv2D<9, Kernel<3, 1>, Pad<1>>>();
    check_convolution<float, 2, 5, 7, Conv2D<10, Kernel<1, 3>>>();
    check_convolution<float, 32, 7, 7, Conv2D<32, Kernel<3>, Pad<same>>>();
}

BOOST_AUTO_TEST_CASE(inference_reads_the_input_directly_at_stride_1) {
    if constexpr (detail::simd<float>::lanes > 1) {
        static_assert(direct<float, 1, 28, 28, Conv2D<6, Kernel<5>, Pad<2>>>);  // LeNet-5's: rows of 28
        static_assert(direct<float, 6, 14, 14, Conv2D<16, Kernel<5>>>);        // and shifted copies of 14x10
        static_assert(direct<float, 4, 10, 10, Conv2D<16, Kernel<3>>>);
        static_assert(direct<float, 2, 9, 20, Conv2D<7, Kernel<3, 5>, Pad<same>>>);
        static_assert(direct<float, 3, 16, 16, Conv2D<13, Kernel<3>, Pad<same>>>);
        static_assert(detail::direct_rows<28, float> && !detail::direct_rows<10, float>);
        static_assert(direct<float, 16, 7, 7, Conv2D<24, Kernel<1>>>);  // rows of 7 read in place: no copy
    }
    static_assert(!direct<float, 16, 14, 14, Conv2D<32, Kernel<3>, Stride<2>, Pad<same>>>);  // stride 2
    static_assert(InferenceLayer<Conv2D<6, Kernel<5>, Pad<2>>::bound<Shape<1, 28, 28>, float>, float>);  // inference finds it
}

namespace {

/// fold_lanes at run time (vectors, then shuffles within the last) against its pairwise tree
/// written out, on values of many magnitudes so that adding any other pairs changes the bits.
template <class T>
void check_fold_lanes() {
    constexpr std::size_t lanes = detail::reduction_lanes;
    for (unsigned seed = 0; seed < 50; ++seed) {
        std::mt19937 generator(seed);
        std::uniform_real_distribution<double> mantissa(-1, 1);
        std::uniform_int_distribution<int> exponent(-30, 30);
        T partial[lanes], tree[lanes];
        for (std::size_t l = 0; l < lanes; ++l) tree[l] = partial[l] = T(std::ldexp(mantissa(generator), exponent(generator)));
        for (std::size_t width = lanes / 2; width > 0; width /= 2)
            for (std::size_t l = 0; l < width; ++l) {
                volatile T sum = tree[l] + tree[l + width];  // one rounded addition, as in the fold
                tree[l] = sum;
            }
        const T folded = detail::fold_lanes(partial);
        BOOST_TEST(std::memcmp(&folded, &tree[0], sizeof(T)) == 0, "seed " << seed << ": " << folded << " vs " << tree[0]);
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(fold_lanes_adds_the_pairs_of_its_tree) {
    static_assert(detail::reduction_lanes == 16, "the tree below assumes 16 lanes");
    check_fold_lanes<float>();
    check_fold_lanes<double>();
}

namespace {

/// Dense's forward, four weight rows at a time, against bias + dot<N> row by row: the same bits.
template <class T, std::size_t N, std::size_t Units>
void check_dense_rows() {
    using Bound = typename Dense<Units>::template bound<Shape<N>, T>;
    const auto params = random_values<T>(Bound::parameter_count, 12), x = random_values<T>(N, 13);
    std::vector<T> y(Units), expected(Units);
    Bound::forward(params.data(), TensorView<Shape<N>, const T>{x.data()}, TensorView<Shape<Units>, T>{y.data()});
    for (std::size_t u = 0; u < Units; ++u) expected[u] = params[Units * N + u] + detail::dot<N>(params.data() + u * N, x.data());
    BOOST_TEST(std::memcmp(y.data(), expected.data(), Units * sizeof(T)) == 0);
}

}  // namespace

BOOST_AUTO_TEST_CASE(dense_forward_gives_the_bits_of_one_dot_product_per_unit) {
    check_dense_rows<float, 400, 120>();  // LeNet-5's
    check_dense_rows<float, 37, 7>();     // remainders in the lanes and the rows
    check_dense_rows<float, 5, 3>();
    check_dense_rows<double, 72, 10>();
}

namespace {

/// Dense's batched passes against its per-sample ones, sample after sample: the same bits, for a
/// full batch and a partial one, on one thread and on three.
template <class T, std::size_t N, std::size_t Units, std::size_t B = 8>
void check_dense_batch(std::size_t samples, std::size_t threads) {
    using Bound = typename Dense<Units>::template bound<Shape<N>, T>;
    using In = Shape<N>;
    using Out = Shape<Units>;
    auto params = random_values<T>(Bound::parameter_count, 21);
    const auto x = random_values<T>(B * N, 22), dy = random_values<T>(B * Units, 23);
    const auto start = random_values<T>(Bound::parameter_count, 24);  // gradients already gathered
    std::vector<T> y(B * Units), dx(B * N), expected_y(B * Units), expected_dx(B * N);
    std::vector<T> grads = start, expected_grads = start;

    const Workers workers(threads, 0);
    const PassContext context{.mode = Mode::training, .samples = samples, .parallel = &workers};
    Bound::template forward_batch<B>(context, params.data(), BatchView<In, B, const T>{x.data()}, BatchView<Out, B, T>{y.data()},
                                     nullptr);
    Bound::template backward_batch<true, B>(context, params.data(), grads.data(), BatchView<In, B, const T>{x.data()},
                                            BatchView<Out, B, const T>{y.data()}, BatchView<Out, B, const T>{dy.data()},
                                            BatchView<In, B, T>{dx.data()}, nullptr);
    for (std::size_t b = 0; b < samples; ++b) {
        Bound::forward(params.data(), TensorView<In, const T>{x.data() + b * N}, TensorView<Out, T>{expected_y.data() + b * Units});
        Bound::template backward<true>(params.data(), expected_grads.data(), TensorView<In, const T>{x.data() + b * N},
                                       TensorView<Out, const T>{expected_y.data() + b * Units},
                                       TensorView<Out, const T>{dy.data() + b * Units}, TensorView<In, T>{expected_dx.data() + b * N});
    }
    BOOST_TEST(std::memcmp(y.data(), expected_y.data(), samples * Units * sizeof(T)) == 0);
    BOOST_TEST(std::memcmp(dx.data(), expected_dx.data(), samples * N * sizeof(T)) == 0);
    BOOST_TEST(std::memcmp(grads.data(), expected_grads.data(), grads.size() * sizeof(T)) == 0);
    BOOST_TEST(std::all_of(y.begin() + samples * Units, y.end(), [](T v) { return v == T{}; }));  // past the samples: untouched
}

}  // namespace

BOOST_AUTO_TEST_CASE(dense_batched_passes_give_the_bits_of_sample_after_sample) {
    for (const std::size_t threads : {1, 3})
        for (const std::size_t samples : {8, 7, 1}) {
            check_dense_batch<float, 400, 120>(samples, threads);  // LeNet-5's
            check_dense_batch<float, 37, 13>(samples, threads);    // remainders in every tile
            check_dense_batch<double, 84, 10>(samples, threads);
        }
    check_dense_batch<float, 72, 10, 1>(1, 1);  // a batch of one takes the per-sample passes
}

namespace {

/// MaxPool<2>'s backward against the rule written out: each gradient to the first position of its
/// window, row by row, that holds the window's maximum. Values from a small set, signed zeros
/// included, so that windows tie in every arrangement; widths that leave windows to the scalar
/// loop and columns no window covers.
template <class T, std::size_t C, std::size_t H, std::size_t W>
void check_max_pool_routing(unsigned seed) {
    using In = Shape<C, H, W>;
    using Bound = typename MaxPool<2>::template bound<In, T>;
    using Out = typename Bound::output_shape;
    std::mt19937 generator(seed);
    const T choices[] = {T(-1), T(-0.0), T(0), T(0.5), T(1)};
    std::vector<T> x(In::size), y(Out::size), dy = random_values<T>(Out::size, seed + 1), dx(In::size, T(7));
    for (auto& v : x) v = choices[generator() % 5];
    Bound::forward(nullptr, TensorView<In, const T>{x.data()}, TensorView<Out, T>{y.data()});
    Bound::template backward<true>(nullptr, nullptr, TensorView<In, const T>{x.data()}, TensorView<Out, const T>{y.data()},
                                   TensorView<Out, const T>{dy.data()}, TensorView<In, T>{dx.data()});
    std::vector<T> expected(In::size, T(0));
    for (std::size_t c = 0; c < C; ++c)
        for (std::size_t oy = 0; oy < Out::dims[1]; ++oy)
            for (std::size_t ox = 0; ox < Out::dims[2]; ++ox) {
                const std::size_t o = (c * Out::dims[1] + oy) * Out::dims[2] + ox;
                bool routed = false;
                for (std::size_t ky = 0; ky < 2 && !routed; ++ky)
                    for (std::size_t kx = 0; kx < 2 && !routed; ++kx) {
                        const std::size_t i = (c * H + 2 * oy + ky) * W + 2 * ox + kx;
                        if (x[i] == y[o]) expected[i] = dy[o], routed = true;
                    }
            }
    BOOST_TEST(std::memcmp(dx.data(), expected.data(), In::size * sizeof(T)) == 0);
}

}  // namespace

BOOST_AUTO_TEST_CASE(max_pool_backward_in_vectors_routes_like_the_rule) {
    for (unsigned seed = 1; seed <= 5; ++seed) {
        check_max_pool_routing<float, 6, 28, 28>(seed);  // LeNet-5's: 14 windows a row
        check_max_pool_routing<float, 3, 10, 22>(seed);  // 11: vectors, then single windows
        check_max_pool_routing<float, 2, 9, 19>(seed);   // a row and a column no window covers
        check_max_pool_routing<float, 2, 4, 16>(seed);
        check_max_pool_routing<double, 3, 10, 22>(seed);
    }
}
