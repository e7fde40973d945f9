// Dense<0> at layer 3.
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<1, 8, 8>, Conv2D<2>, Flatten, Dense<16>, Dense<0>>;
static_assert(Net::parameter_count > 0);

// expect: layer_check<typenet::detail::layer_path<typenet::detail::layer_at<3, typenet::Dense<0> ?> ?>, typenet::Shape<16> ?>
// expect: filter counts, unit counts, kernel sizes, window sizes and strides must be at least 1
