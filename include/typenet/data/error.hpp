// data_error: the one exception type the data layer throws for unusable files and arguments.
#pragma once

#include <stdexcept>

namespace typenet {

/// Thrown by the IDX reader/writer, the Dataset helpers and `load_mnist`. The message names the
/// file (when there is one) and exactly what is wrong with it, so `main` can print `what()` as is.
struct data_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace typenet
