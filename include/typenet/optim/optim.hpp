// Umbrella for the optimizers: update rules, schedules and per-layer-group binding.
#pragma once

#include <typenet/optim/adam.hpp>
#include <typenet/optim/optimizer.hpp>
#include <typenet/optim/schedule.hpp>
#include <typenet/optim/sgd.hpp>
#include <typenet/optim/update_rule.hpp>
