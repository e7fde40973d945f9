#include "pytorch_import.hpp"

#include <typenet/io/pytorch.hpp>

namespace examples {

void import_pytorch(const typenet::ImportTarget<float>& target, const std::filesystem::path& file) {
    typenet::import_weights(target, file);
}

}  // namespace examples
