// A user layer at index 1 binds to code without backward: the check of that layer names what it lacks.
#include <array>
#include <string_view>

#include <typenet/typenet.hpp>

using namespace typenet;

struct Doubling {
    static constexpr std::string_view kind = "Doubling";
    static constexpr std::array<LayerSetting, 0> settings{};
    static constexpr LayerResult propagate(ShapeValue input) { return accept(input); }
    template <class In, class T>
    struct bound : NoParameters {
        using input_shape = In;
        using output_shape = In;
        static void forward(const T*, TensorView<In, const T> x, TensorView<In, T> y) {
            for (std::size_t i = 0; i < In::size; ++i) y[i] = 2 * x[i];
        }
    };
};
using Net = Network<Input<1, 8, 8>, Conv2D<2>, Doubling, Flatten, Dense<4>>;
Net net;

// The failing assertion sits in own_bound_check<true, Path, ...>: the bound layer itself, not an inner one.
// expect: own_bound_check<true, typenet::detail::layer_path<typenet::detail::layer_at<1, Doubling> ?>, typenet::Shape<2, 6, 6>, typenet::Shape<2, 6, 6>, float ?>
// expect: bound_layer_check<typenet::detail::layer_path<typenet::detail::layer_at<1, Doubling> ?>, typenet::Shape<2, 6, 6>, typenet::Shape<2, 6, 6>, float ?>
// expect: a bound layer needs `template <bool InputGradient> static void backward
