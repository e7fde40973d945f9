// Conv2D<0> at layer 2: a convolution without filters.
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<1, 12, 12>, Conv2D<4>, ReLU, Conv2D<0>, Flatten, Dense<10>>;
Net net;

// expect: layer_check<typenet::detail::layer_path<typenet::detail::layer_at<2, typenet::Conv2D<0> ?> ?>, typenet::Shape<4, 10, 10> ?>
// expect: filter counts, unit counts, kernel sizes, window sizes and strides must be at least 1
