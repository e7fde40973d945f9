// import_pytorch: --import, compiled once in pytorch_import.cpp, so that the file formats' headers
// (zip, JSON, xtensor) stay out of each example's translation unit.
#pragma once

#include <filesystem>

#include <typenet/io/tensor_mapping.hpp>

namespace examples {

/// typenet::import_weights(target, file): PyTorch weights, safetensors or .npz.
void import_pytorch(const typenet::ImportTarget<float>& target, const std::filesystem::path& file);

}  // namespace examples
