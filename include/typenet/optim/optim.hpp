// Umbrella for the optimizers: SGD, Adam, schedules and per-layer-group binding.
#pragma once

#include <typenet/optim/adam.hpp>
#include <typenet/optim/optimizer.hpp>
#include <typenet/optim/schedule.hpp>
#include <typenet/optim/sgd.hpp>
