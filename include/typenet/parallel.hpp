// Parallel: how a batched pass hands parts of its work to other threads. The core only calls it,
// and owns no threads (it builds for microcontrollers); train/workers.hpp provides one.
#pragma once

#include <cstddef>
#include <type_traits>

namespace typenet {

/// Runs a task once per part, the parts at once on several threads, and lends each part but the
/// first a buffer for the parameter gradients it adds up, so that no two threads add into one value.
class Parallel {
public:
    using Task = void (*)(const void* state, std::size_t part);

    /// How many parts `run` calls the task for: the threads, the caller's included.
    virtual std::size_t parts() const noexcept = 0;
    /// Calls task(state, part) for every part < parts(), part 0 on the calling thread, and
    /// returns when every call has. Tasks must not throw.
    virtual void run(Task task, const void* state) const noexcept = 0;
    /// Part `part`'s gradient buffer (parts 1 and up), aligned for any scalar type.
    virtual void* gradient_buffer(std::size_t part) const noexcept = 0;
    /// The bytes each gradient buffer holds.
    virtual std::size_t gradient_buffer_bytes() const noexcept = 0;

protected:
    Parallel() = default;
    Parallel(const Parallel&) = default;
    Parallel& operator=(const Parallel&) = default;
    ~Parallel() = default;
};

namespace detail {

/// Calls `work(part, first, last)` for the parts of [0, count), the first count / parts items to
/// part 0 and so on: contiguous and fixed for a given count, so results are the same run to run.
template <class Work>
void for_each_part(const Parallel& parallel, std::size_t count, const Work& work) {
    struct State {
        const Work* work;
        std::size_t count, parts;
    };
    const State state{&work, count, parallel.parts()};
    parallel.run(
        [](const void* opaque, std::size_t part) {
            const auto& s = *static_cast<const State*>(opaque);
            (*s.work)(part, s.count * part / s.parts, s.count * (part + 1) / s.parts);
        },
        &state);
}

}  // namespace detail

}  // namespace typenet
