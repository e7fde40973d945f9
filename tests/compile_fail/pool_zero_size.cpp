// AvgPool<0> at layer 1: an empty pooling window.
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<2, 10, 10>, ReLU, AvgPool<0>, Flatten, Dense<10>>;
Net net;

// expect: layer_check<typenet::detail::layer_path<typenet::detail::layer_at<1, typenet::AvgPool<0(, 0)?> ?> ?>, typenet::Shape<2, 10, 10> ?>
// expect: filter counts, unit counts, kernel sizes, window sizes and strides must be at least 1
