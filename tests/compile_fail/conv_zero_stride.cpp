// Stride<0> on the convolution at layer 1.
#include <typenet/typenet.hpp>

using namespace typenet;
using Net = Network<Input<3, 16, 16>, Conv2D<8, Kernel<3>>, Conv2D<8, Kernel<3>, Stride<0>>, Flatten, Dense<10>>;
Net net;

// expect: layer_check<typenet::detail::layer_path<typenet::detail::layer_at<1, typenet::Conv2D<8, typenet::Kernel<3(, 3)?>, typenet::Stride<0(, 0)?> ?> ?> ?>, typenet::Shape<8, 14, 14> ?>
// expect: kernel sizes, window sizes and strides must be at least 1
