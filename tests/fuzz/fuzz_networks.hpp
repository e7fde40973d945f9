// The network the weights fuzz target loads into, shared with the seed-corpus tool so that the
// seeds are files the target accepts.
#pragma once

#include <typenet/typenet.hpp>

namespace fuzz {

using SmallNet = typenet::Network<typenet::Input<1, 6, 6>, typenet::Conv2D<2, typenet::Kernel<3>>, typenet::ReLU,
                                  typenet::Flatten, typenet::Dense<3>>;

}  // namespace fuzz
