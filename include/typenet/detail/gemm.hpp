// Register-blocked matrix products for the convolutions, with every size a compile-time constant.
//
// Each product is cut into tiles small enough for their partial sums to stay in vector registers
// while the whole inner dimension streams past, instead of a trip through memory per step. The
// tiles are written twice: plain loops (for constant evaluation and targets without vectors) and
// the same operations on vectors of detail/simd.hpp, which the compilers' own vectorisers do not
// find reliably in such nests. Both perform the same operations in the same order, so they differ
// at most where the compiler fuses a multiply and an add on one path only (never at run time in
// one build: constant evaluation does not fuse).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <type_traits>

#include <typenet/detail/kernels.hpp>
#include <typenet/detail/simd.hpp>

namespace typenet::detail {

/// Columns per tile: two AVX2 vectors (one AVX-512 vector) of floats.
inline constexpr std::size_t tile_width = 16;

/// Partial sums a tile may hold: 12 of AVX2's 16 vector registers, leaving room for the operands.
inline constexpr std::size_t tile_vectors = 12;

/// Rows per tile for `Rows` rows in all: as many as fit in the registers, spread evenly so that
/// no tile is left with a sliver (16 rows of 6 would make 6 + 6 + 4; 4 + 4 + 4 + 4 is as fast).
template <std::size_t Rows, std::size_t VectorsPerRow>
inline constexpr std::size_t tile_rows = [] {
    const std::size_t most = std::max<std::size_t>(1, tile_vectors / VectorsPerRow);
    const std::size_t tiles = (Rows + most - 1) / most;
    return (Rows + tiles - 1) / tiles;
}();

#if TYPENET_SIMD
/// The vector form of multiply_add_rows on sums held in registers: acc[r][j] += a[r][k] * the
/// j-th vector of b_row(k), for k < K in k order.
template <std::size_t Rows, std::size_t K, std::size_t Lda, class T, class V, std::size_t Vectors, class RowOfB>
inline void multiply_add_vectors(const T* a, RowOfB b_row, V (&acc)[Rows][Vectors]) {
    constexpr std::size_t lanes = simd<T>::lanes;
    V x[Vectors];
    for (std::size_t k = 0; k < K; ++k) {
        const T* row = b_row(k);
        for (std::size_t j = 0; j < Vectors; ++j) load(x[j], row + j * lanes);
        for (std::size_t r = 0; r < Rows; ++r) {
            const T w = a[r * Lda + k];
            for (std::size_t j = 0; j < Vectors; ++j) acc[r][j] += w * x[j];
        }
    }
}
#endif

/// sums[r][v] += a[r][k] * b_row(k)[v] for r < Rows, v < Width, k < K in k order: a has rows
/// `Lda` apart; `b_row(k)` points at row k of b, wherever it is.
template <std::size_t Rows, std::size_t Width, std::size_t K, std::size_t Lda, class T, class RowOfB>
constexpr void multiply_add_rows(const T* a, RowOfB b_row, T (&sums)[Rows][Width]) {
#if TYPENET_SIMD
    if constexpr (fills_vectors<T, Width>) {
        if (!std::is_constant_evaluated()) {
            using V = typename simd<T>::type;
            constexpr std::size_t n = Width / simd<T>::lanes;
            V acc[Rows][n];
            for (std::size_t r = 0; r < Rows; ++r)
                for (std::size_t j = 0; j < n; ++j) load(acc[r][j], sums[r] + j * simd<T>::lanes);
            multiply_add_vectors<Rows, K, Lda>(a, b_row, acc);
            for (std::size_t r = 0; r < Rows; ++r)
                for (std::size_t j = 0; j < n; ++j) store(sums[r] + j * simd<T>::lanes, acc[r][j]);
            return;
        }
    }
#endif
    for (std::size_t k = 0; k < K; ++k) {
        const T* row = b_row(k);
        for (std::size_t r = 0; r < Rows; ++r) {
            const T w = a[r * Lda + k];
            for (std::size_t v = 0; v < Width; ++v) sums[r][v] += w * row[v];
        }
    }
}

/// multiply_add_rows with b row-major, its rows `Ldb` apart.
template <std::size_t Rows, std::size_t Width, std::size_t K, std::size_t Lda, std::size_t Ldb, class T>
constexpr void multiply_add_tile(const T* a, const T* b, T (&sums)[Rows][Width]) {
    multiply_add_rows<Rows, Width, K, Lda>(a, [b](std::size_t k) { return b + k * Ldb; }, sums);
}

/// c[r][v] = bias[r] + sum over k of a[r][k] * b_row(k)[v] for r < Rows, v < Width, summed in k
/// order. a is row-major with K columns; c has rows `Stride` apart.
template <std::size_t Rows, std::size_t Width, std::size_t K, std::size_t Stride, class T, class RowOfB>
constexpr void bias_product_rows(const T* a, const T* bias, RowOfB b_row, T* c) {
#if TYPENET_SIMD
    // Straight from the bias into registers and out to c: a round trip through an array of sums
    // costs short products (LeNet-5's 25 taps) a stalled load per vector.
    if constexpr (fills_vectors<T, Width>) {
        if (!std::is_constant_evaluated()) {
            using V = typename simd<T>::type;
            constexpr std::size_t lanes = simd<T>::lanes, n = Width / lanes;
            V acc[Rows][n];
            for (std::size_t r = 0; r < Rows; ++r)
                for (std::size_t j = 0; j < n; ++j) acc[r][j] = bias[r] - V{};  // every lane bias[r], -0 too
            multiply_add_vectors<Rows, K, K>(a, b_row, acc);
            for (std::size_t r = 0; r < Rows; ++r)
                for (std::size_t j = 0; j < n; ++j) store(c + r * Stride + j * lanes, acc[r][j]);
            return;
        }
    }
#endif
    T sums[Rows][Width];
    for (std::size_t r = 0; r < Rows; ++r)
        for (std::size_t v = 0; v < Width; ++v) sums[r][v] = bias[r];
    multiply_add_rows<Rows, Width, K, K>(a, b_row, sums);
    for (std::size_t r = 0; r < Rows; ++r)
        for (std::size_t v = 0; v < Width; ++v) c[r * Stride + v] = sums[r][v];
}

/// bias_product_rows with b row-major, its rows `Stride` apart like c's.
template <std::size_t Rows, std::size_t Width, std::size_t K, std::size_t Stride, class T>
constexpr void bias_product_tile(const T* a, const T* bias, const T* b, T* c) {
    bias_product_rows<Rows, Width, K, Stride>(a, bias, [b](std::size_t k) { return b + k * Stride; }, c);
}

/// Calls tile.template operator()<Rows>(first) for row tiles covering [0, M): `PerTile` rows
/// each, then the rows left over.
template <std::size_t M, std::size_t PerTile, class Tile>
constexpr void for_each_row_tile(Tile&& tile) {
    std::size_t first = 0;
    for (; first + PerTile <= M; first += PerTile) tile.template operator()<PerTile>(first);
    if constexpr (M % PerTile != 0) tile.template operator()<M % PerTile>(first);
}

/// for_each_row_tile for [first, last) known only at run time (the samples of a pass): tiles of
/// `PerTile`, then single rows.
template <std::size_t PerTile, class Tile>
constexpr void for_each_row_tile(std::size_t first, std::size_t last, Tile&& tile) {
    for (; first + PerTile <= last; first += PerTile) tile.template operator()<PerTile>(first);
    for (; first < last; ++first) tile.template operator()<1>(first);
}

/// Calls tile.template operator()<Width>(first) for column tiles covering [0, N): `tile_width`
/// wide, then what is left in whole vectors, the last tile ending at column N and overlapping
/// columns already done rather than leaving a sliver to plain loops (a 7x7 map has 49 columns:
/// 3 x 16 and one). Only for products that assign their results: an overlapped column is
/// computed again from the same operands, to the same bits.
template <std::size_t N, class T, class Tile>
constexpr void for_each_column_tile(Tile&& tile) {
    std::size_t first = 0;
    for (; first + tile_width <= N; first += tile_width) tile.template operator()<tile_width>(first);
    constexpr std::size_t rest = N % tile_width, lanes = simd<T>::lanes;
    constexpr std::size_t vector_rest = (rest + lanes - 1) / lanes * lanes;
    if constexpr (vector_rest != rest && vector_rest <= N)  // rest is not whole vectors, and they fit
        tile.template operator()<vector_rest>(N - vector_rest);
    else if constexpr (rest != 0)
        tile.template operator()<rest>(first);
}

/// C = bias + A B: A is M x K (row-major), B is K x N, C is M x N, bias one value per row of C.
/// Column panels outermost, so a panel of B (K x 16) stays in cache while every row tile uses it.
template <std::size_t M, std::size_t N, std::size_t K, class T>
constexpr void bias_product(const T* a, const T* bias, const T* b, T* c) {
    auto panel = [&]<std::size_t Width>(std::size_t first) {
        for_each_row_tile<M, tile_rows<M, (tile_width + 7) / 8>>([&]<std::size_t Rows>(std::size_t r) {
            bias_product_tile<Rows, Width, K, N>(a + r * K, bias + r, b + first, c + r * N + first);
        });
    };
    for_each_column_tile<N, T>(panel);
}

/// Where tap (c, ky, kx), in weight order, reads an input of `InH` x `InW` channels, from the
/// element under output (0, 0).
template <std::size_t Channels, std::size_t KH, std::size_t KW, std::size_t InH, std::size_t InW>
inline constexpr std::array<std::size_t, Channels * KH * KW> tap_offsets = [] {
    std::array<std::size_t, Channels * KH * KW> offsets{};
    for (std::size_t c = 0, k = 0; c < Channels; ++c)
        for (std::size_t ky = 0; ky < KH; ++ky)
            for (std::size_t kx = 0; kx < KW; ++kx) offsets[k++] = (c * InH + ky) * InW + kx;
    return offsets;
}();

/// For every filter f and each of `Width` consecutive outputs v: out[f * OutStride + v] = bias[f]
/// + the sum over taps k = (c, ky, kx) of w[f][c][ky][kx] * corner[Offsets[k] + v], a stride-1
/// convolution read from its padded input (tap_offsets) or its shifted copies
/// (shifted_tap_offsets). The taps are added in weight order from the bias, as bias_product adds
/// the column matrix's rows: the same bits as im2col.
template <std::size_t Filters, std::size_t OutStride, std::size_t Width, const auto& Offsets, class T>
constexpr void convolution_panel(const T* weights, const T* bias, const T* corner, T* out) {
    constexpr std::size_t taps = Offsets.size();
    const auto tap_row = [corner](std::size_t k) { return corner + Offsets[k]; };
    for_each_row_tile<Filters, tile_rows<Filters, (Width + 7) / 8>>([&]<std::size_t Rows>(std::size_t f) {
        bias_product_rows<Rows, Width, taps, OutStride>(weights + f * taps, bias + f, tap_row, out + f * OutStride);
    });
}

/// Whether output rows of `OW` values fill vector tiles one row at a time without wasting much:
/// rows of 16 or more, or of whole vectors.
template <std::size_t OW, class T>
inline constexpr bool direct_rows = simd<T>::lanes > 1 && (OW >= tile_width || OW % simd<T>::lanes == 0);

/// Values of direct_convolution's shifted copies of its input: one per channel and kernel
/// column, each InH rows of OW; none for one kernel column, whose input rows are already OW long.
template <std::size_t Channels, std::size_t KW, std::size_t InH, std::size_t OW>
inline constexpr std::size_t shifted_input_size = KW == 1 ? 0 : Channels * KW * InH * OW;

/// Where tap (c, ky, kx), in weight order, finds output position 0 in the shifted copies.
template <std::size_t Channels, std::size_t KH, std::size_t KW, std::size_t InH, std::size_t OW>
inline constexpr std::array<std::size_t, Channels * KH * KW> shifted_tap_offsets = [] {
    std::array<std::size_t, Channels * KH * KW> offsets{};
    for (std::size_t c = 0, k = 0; c < Channels; ++c)
        for (std::size_t ky = 0; ky < KH; ++ky)
            for (std::size_t kx = 0; kx < KW; ++kx) offsets[k++] = ((c * KW + kx) * InH + ky) * OW;
    return offsets;
}();

/// out = bias + the stride-1 convolution read from copies of its input, one per channel c and
/// kernel column kx, holding in[c][y][kx + ox] at y * OW + ox (shifted_tap_offsets; the input
/// itself when KW is 1): every tap reads all OH x OW positions as one run.
template <std::size_t Filters, std::size_t Channels, std::size_t KH, std::size_t KW, std::size_t InH, std::size_t OH,
          std::size_t OW, class T>
constexpr void shifted_convolution(const T* weights, const T* bias, const T* shifted, T* out) {
    constexpr std::size_t N = OH * OW;
    for_each_column_tile<N, T>([&]<std::size_t Width>(std::size_t first) {
        convolution_panel<Filters, N, Width, shifted_tap_offsets<Channels, KH, KW, InH, OW>>(weights, bias, shifted + first,
                                                                                           out + first);
    });
}

/// out[f][oy][ox] = bias[f] + sum over (c, ky, kx) of w[f][c][ky][kx] * in[c][oy + ky][ox + kx]
/// (see convolution_panel), one output row at a time when rows fill vectors (direct_rows). Else
/// from copies of the input in `shifted` (shifted_input_size values; see shifted_convolution), so
/// tiles go on across row ends and compute nothing twice.
template <std::size_t Filters, std::size_t Channels, std::size_t KH, std::size_t KW, std::size_t InH, std::size_t InW,
          std::size_t OH, std::size_t OW, class T>
constexpr void direct_convolution(const T* weights, const T* bias, const T* in, T* out, T* shifted) {
    static_assert(simd<T>::lanes > 1 && OH + KH - 1 == InH && OW + KW - 1 == InW);
    if constexpr (direct_rows<OW, T>) {
        for (std::size_t oy = 0; oy < OH; ++oy) {
            const auto row_tile = [&]<std::size_t Width>(std::size_t first) {
                convolution_panel<Filters, OH * OW, Width, tap_offsets<Channels, KH, KW, InH, InW>>(
                    weights, bias, in + oy * InW + first, out + oy * OW + first);
            };
            if constexpr (OW >= tile_width) {
                for_each_column_tile<OW, T>(row_tile);
            } else {
                for (std::size_t first = 0; first < OW; first += simd<T>::lanes) row_tile.template operator()<simd<T>::lanes>(first);
            }
        }
    } else {
        if constexpr (KW > 1)
            for (std::size_t c = 0; c < Channels; ++c)
                for (std::size_t kx = 0; kx < KW; ++kx)
                    for (std::size_t y = 0; y < InH; ++y)
                        for (std::size_t ox = 0; ox < OW; ++ox)
                            shifted[((c * KW + kx) * InH + y) * OW + ox] = in[(c * InH + y) * InW + kx + ox];
        shifted_convolution<Filters, Channels, KH, KW, InH, OH, OW>(weights, bias, KW > 1 ? shifted : in, out);
    }
}

/// c[i * Ldc + j * Step] += dot<N>(a row i, b row j) for i < Rows, j < Cols, a's rows N apart
/// and b's Ldb: `dot`'s lanes and fold, so each value is the bits `dot` gives, but every loaded
/// vector serves several products.
template <std::size_t Rows, std::size_t Cols, std::size_t N, std::size_t Ldc, std::size_t Ldb = N, std::size_t Step = 1, class T>
constexpr void dot_tile(const T* a, const T* b, T* c) {
    constexpr std::size_t body = N / reduction_lanes * reduction_lanes;
    T partial[Rows][Cols][reduction_lanes]{};
    std::size_t start = 0;  // where the plain loop takes over from the vector loop
#if TYPENET_SIMD
    if constexpr (fills_vectors<T, reduction_lanes>) {
        if (!std::is_constant_evaluated()) {
            using V = typename simd<T>::type;
            constexpr std::size_t n = reduction_lanes / simd<T>::lanes;
            V sums[Rows][Cols][n]{}, x, y[Cols];
            for (std::size_t i = 0; i < body; i += reduction_lanes)
                for (std::size_t j = 0; j < n; ++j) {
                    for (std::size_t s = 0; s < Cols; ++s) load(y[s], b + s * Ldb + i + j * simd<T>::lanes);
                    for (std::size_t r = 0; r < Rows; ++r) {
                        load(x, a + r * N + i + j * simd<T>::lanes);
                        for (std::size_t s = 0; s < Cols; ++s) sums[r][s][j] += x * y[s];
                    }
                }
            for (std::size_t r = 0; r < Rows; ++r)
                for (std::size_t s = 0; s < Cols; ++s)
                    for (std::size_t j = 0; j < n; ++j) store(partial[r][s] + j * simd<T>::lanes, sums[r][s][j]);
            start = body;
        }
    }
#endif
    for (std::size_t i = start; i < body; i += reduction_lanes)
        for (std::size_t r = 0; r < Rows; ++r)
            for (std::size_t s = 0; s < Cols; ++s)
                for (std::size_t l = 0; l < reduction_lanes; ++l)
                    partial[r][s][l] += a[r * N + i + l] * b[s * Ldb + i + l];
    for (std::size_t i = body; i < N; ++i)
        for (std::size_t r = 0; r < Rows; ++r)
            for (std::size_t s = 0; s < Cols; ++s) partial[r][s][i - body] += a[r * N + i] * b[s * Ldb + i];
    for (std::size_t r = 0; r < Rows; ++r)
        for (std::size_t s = 0; s < Cols; ++s) c[r * Ldc + s * Step] += fold_lanes(partial[r][s]);
}

/// Where the K rows of B lie for accumulate_dots and accumulate_products (a convolution's taps):
/// in runs of `Length` rows, `stride` values apart in B and `step` columns apart in C, run g
/// starting at B + row[g] and at column column[g] of C.
template <std::size_t Runs, std::size_t Length>
struct RowRuns {
    static constexpr std::size_t runs = Runs, length = Length;
    std::size_t stride = 0, step = 0;
    std::array<std::size_t, Runs> row{}, column{};
};

/// K rows N apart, as a matrix has them: one run.
template <std::size_t K, std::size_t N>
inline constexpr RowRuns<1, K> matrix_rows{N, 1, {0}, {0}};

/// The taps in shifted copies of a convolution's input (shifted_tap_offsets) as runs: the KH taps
/// (c, ky, kx) of copy (c, kx) lie OW apart in it and KW apart in the weights.
template <std::size_t Channels, std::size_t KH, std::size_t KW, std::size_t InH, std::size_t OW>
inline constexpr RowRuns<Channels * KW, KH> shifted_tap_runs = [] {
    RowRuns<Channels * KW, KH> runs{OW, KW, {}, {}};
    for (std::size_t c = 0; c < Channels; ++c)
        for (std::size_t kx = 0; kx < KW; ++kx) {
            runs.row[c * KW + kx] = (c * KW + kx) * InH * OW;
            runs.column[c * KW + kx] = c * KH * KW + kx;
        }
    return runs;
}();

/// C += A B^T with A M x N (row-major), B K x N with its rows where `Rows` says, C M x K, one
/// `dot<N>` per entry.
template <std::size_t M, std::size_t K, std::size_t N, const auto& Rows = matrix_rows<K, N>, class T>
constexpr void accumulate_dots(const T* a, const T* b, T* c) {
    constexpr std::size_t rows = 3, cols = 2;  // 3 x 2 sums of two vectors each: 12 registers
    constexpr std::size_t length = Rows.length, stride = Rows.stride, step = Rows.step;
    static_assert(Rows.runs * length == K);
    auto row_tile = [&]<std::size_t Tile>(std::size_t i) {
        for (std::size_t g = 0; g < Rows.runs; ++g) {
            const T* run = b + Rows.row[g];
            T* out = c + i * K + Rows.column[g];
            std::size_t j = 0;
            for (; j + cols <= length; j += cols)
                dot_tile<Tile, cols, N, K, stride, step>(a + i * N, run + j * stride, out + j * step);
            if constexpr (length % cols != 0)
                dot_tile<Tile, length % cols, N, K, stride, step>(a + i * N, run + j * stride, out + j * step);
        }
    };
    std::size_t i = 0;
    for (; i + rows <= M; i += rows) row_tile.template operator()<rows>(i);
    if constexpr (M % rows != 0) row_tile.template operator()<M % rows>(i);
}

/// Filters (rows of A) per tile of `accumulate_products`: 16, or 8 when that is all there is.
template <std::size_t M>
inline constexpr std::size_t product_width = M % tile_width == 0 ? tile_width : M % 8 == 0 ? 8 : M;

/// C += A B^T as `accumulate_dots`, but as a sum of outer products when the rows of A fill whole
/// vectors: no dot product to fold per entry, which matters when N (positions) is short. A is
/// turned [N][M] a chunk of N at a time, in a buffer of at most 16 KiB. Sums run in n order, so
/// the bits differ from `accumulate_dots`.
template <std::size_t M, std::size_t K, std::size_t N, const auto& Rows = matrix_rows<K, N>, class T>
constexpr void accumulate_products(const T* a, const T* b, T* c) {
    if constexpr (!fills_vectors<T, product_width<M>>) {
        accumulate_dots<M, K, N, Rows>(a, b, c);
    } else {
        constexpr std::size_t chunk = std::clamp<std::size_t>(16384 / sizeof(T) / M, 1, N);
        constexpr std::size_t width = product_width<M>;
        constexpr std::size_t length = Rows.length, stride = Rows.stride, step = Rows.step;
        constexpr std::size_t rows = tile_rows<length, width / simd<T>::lanes>;
        static_assert(Rows.runs * length == K);
        T turned[chunk][M];
        auto chunk_of = [&]<std::size_t Length>(std::size_t first) {
            for (std::size_t n = 0; n < Length; ++n)
                for (std::size_t m = 0; m < M; ++m) turned[n][m] = a[m * N + first + n];
            for (std::size_t g = 0; g < Rows.runs; ++g) {
                auto tile = [&]<std::size_t Tile>(std::size_t k) {
                    for (std::size_t m = 0; m < M; m += width) {
                        T sums[Tile][width]{};
                        multiply_add_tile<Tile, width, Length, stride, M>(b + Rows.row[g] + k * stride + first, turned[0] + m, sums);
                        for (std::size_t r = 0; r < Tile; ++r)
                            for (std::size_t v = 0; v < width; ++v) c[(m + v) * K + Rows.column[g] + (k + r) * step] += sums[r][v];
                    }
                };
                for_each_row_tile<length, rows>(tile);
            }
        };
        std::size_t first = 0;
        for (; first + chunk <= N; first += chunk) chunk_of.template operator()<chunk>(first);
        if constexpr (N % chunk != 0) chunk_of.template operator()<N % chunk>(first);
    }
}

/// c[t][v] = sum over m of a[m][t] * b[m][v] for t < Rows, v < Width, summed in m order:
/// the transposed A times B, one tile. a has rows `Lda` apart, b and c rows `Ldb` and `Ldc`.
/// With `Add`, the sums start from c's values instead of zero.
template <bool Add, std::size_t Rows, std::size_t Width, std::size_t M, std::size_t Lda, std::size_t Ldb, std::size_t Ldc,
          class T>
constexpr void transposed_product_tile(const T* a, const T* b, T* c) {
#if TYPENET_SIMD
    if constexpr (fills_vectors<T, Width>) {
        if (!std::is_constant_evaluated()) {
            using V = typename simd<T>::type;
            constexpr std::size_t n = Width / simd<T>::lanes;
            V sums[Rows][n]{}, x[n];
            if constexpr (Add)
                for (std::size_t t = 0; t < Rows; ++t)
                    for (std::size_t j = 0; j < n; ++j) load(sums[t][j], c + t * Ldc + j * simd<T>::lanes);
            for (std::size_t m = 0; m < M; ++m) {
                for (std::size_t j = 0; j < n; ++j) load(x[j], b + m * Ldb + j * simd<T>::lanes);
                for (std::size_t t = 0; t < Rows; ++t) {
                    const T w = a[m * Lda + t];
                    for (std::size_t j = 0; j < n; ++j) sums[t][j] += w * x[j];
                }
            }
            for (std::size_t t = 0; t < Rows; ++t)
                for (std::size_t j = 0; j < n; ++j) store(c + t * Ldc + j * simd<T>::lanes, sums[t][j]);
            return;
        }
    }
#endif
    T sums[Rows][Width]{};
    if constexpr (Add)
        for (std::size_t t = 0; t < Rows; ++t)
            for (std::size_t v = 0; v < Width; ++v) sums[t][v] = c[t * Ldc + v];
    for (std::size_t m = 0; m < M; ++m) {
        const T* row = b + m * Ldb;
        for (std::size_t t = 0; t < Rows; ++t) {
            const T w = a[m * Lda + t];
            for (std::size_t v = 0; v < Width; ++v) sums[t][v] += w * row[v];
        }
    }
    for (std::size_t t = 0; t < Rows; ++t)
        for (std::size_t v = 0; v < Width; ++v) c[t * Ldc + v] = sums[t][v];
}

/// C = A^T B for columns [First, First + Rows) of A: A is M x Lda, B is M x N, C is Rows x N.
template <std::size_t Rows, std::size_t M, std::size_t N, std::size_t Lda, class T>
constexpr void transposed_product(const T* a, const T* b, T* c) {
    for_each_column_tile<N, T>([&]<std::size_t Width>(std::size_t first) {
        transposed_product_tile<false, Rows, Width, M, Lda, N, N>(a, b + first, c + first);
    });
}

}  // namespace typenet::detail
