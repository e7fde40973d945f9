// typenet core: networks as types. Needs only the standard library and Boost.Hana.
#pragma once

#include <typenet/inference.hpp>
#include <typenet/init.hpp>
#include <typenet/layers/activations.hpp>
#include <typenet/layers/concat.hpp>
#include <typenet/layers/conv2d.hpp>
#include <typenet/layers/dense.hpp>
#include <typenet/layers/flatten.hpp>
#include <typenet/layers/layer.hpp>
#include <typenet/layers/options.hpp>
#include <typenet/losses/cross_entropy.hpp>
#include <typenet/losses/loss.hpp>
#include <typenet/losses/mse.hpp>
#include <typenet/layers/pool.hpp>
#include <typenet/layers/residual.hpp>
#include <typenet/layers/sequential.hpp>
#include <typenet/network.hpp>
#include <typenet/optim/optim.hpp>
#include <typenet/random.hpp>
#include <typenet/rom_inference.hpp>
#include <typenet/shape.hpp>
#include <typenet/signature.hpp>
#include <typenet/tensor.hpp>
