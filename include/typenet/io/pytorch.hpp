// import_weights: PyTorch weights (safetensors or .npz), detected by content, into a network of the same architecture.
//
//   // PyTorch: nn.Sequential(nn.Conv2d(1, 8, 3, stride=2), nn.LeakyReLU(0.001), nn.Conv2d(8, 2, 3, stride=2),
//   //          nn.LeakyReLU(0.001), nn.Flatten(), nn.Linear(72, 72), nn.Sigmoid(), nn.Linear(72, 10), nn.Sigmoid())
//   //          safetensors.torch.save_file(model.state_dict(), "seed.safetensors")
//   //          or numpy.savez("seed.npz", **{k: v.numpy() for k, v in model.state_dict().items()})
//   #include <typenet/io/pytorch.hpp>
//   auto net = std::make_unique<SeedNet>();           // the same layers, declared in typenet
//   typenet::import_weights(*net, "seed.safetensors");           // tensors matched by order
//   typenet::import_weights(*net, "seed.npz", {"0", "2", "5", "7"});   // or by state_dict prefix
//   // any mismatch throws typenet::import_error naming the file, the tensor and both shapes
#pragma once

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include <typenet/io/npz.hpp>
#include <typenet/io/safetensors.hpp>
#include <typenet/io/tensor_mapping.hpp>

namespace typenet {

/// Loads PyTorch weights into `net`: a zip file (starting "PK") is read as `.npz`, anything else
/// as safetensors, whatever the file's name. `names` as for LayerNames; empty matches by order.
/// Everything is checked before `net` is touched; errors are `import_error`.
/// Also takes an ImportTarget (`import_target(net)`) instead of the network itself.
template <class T>
void import_weights(const ImportTarget<T>& target, const std::filesystem::path& path, const LayerNames& names = {}) {
    std::array<char, 4> magic{};
    detail::check_file(path);
    {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw import_error(fmt::format("{}: cannot open the file", path.string()));
        in.read(magic.data(), magic.size());
    }
    if (std::memcmp(magic.data(), "PK\x03\x04", 4) == 0 || std::memcmp(magic.data(), "PK\x05\x06", 4) == 0)
        import_npz(target, path, names);
    else
        import_safetensors(target, path, names);
}

template <class Net>
    requires requires { Net::parameter_tensors; }
void import_weights(Net& net, const std::filesystem::path& path, const LayerNames& names = {}) {
    import_weights(import_target(net), path, names);
}

}  // namespace typenet
