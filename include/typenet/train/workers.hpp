// Workers: a fixed pool of threads that runs the parts of a batched pass (typenet::Parallel).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stop_token>
#include <thread>
#include <vector>

#include <typenet/parallel.hpp>
#include <typenet/train/flush_denormals.hpp>

namespace typenet {

/// The threads a machine offers, at least 1.
inline std::size_t hardware_threads() {
    return std::max<std::size_t>(1, std::thread::hardware_concurrency());
}

/// `threads - 1` threads started once, plus the caller's, and one gradient buffer of
/// `gradient_bytes` for every thread but the caller's. Everything is allocated here: `run`
/// allocates nothing. A pass is over in tens of microseconds per layer, so waiting threads spin
/// for a moment before they sleep on the counter that starts the next pass.
class Workers final : public Parallel {
public:
    Workers(std::size_t threads, std::size_t gradient_bytes)
        : parts_(std::max<std::size_t>(1, threads)), buffer_bytes_(round_up(gradient_bytes)) {
        buffers_.resize((parts_ - 1) * buffer_bytes_ / sizeof(Slot));  // part 0 adds into the gradients themselves
        claimed_ = std::make_unique<std::atomic<bool>[]>(parts_);
        threads_.reserve(parts_ - 1);
        for (std::size_t part = 1; part < parts_; ++part)
            threads_.emplace_back([this, part](std::stop_token stop) { serve(stop, part); });
    }
    ~Workers() {
        for (auto& thread : threads_) thread.request_stop();
        generation_.fetch_add(1);
        generation_.notify_all();
    }  // then the jthreads join, first of the members, while the others are still there
    Workers(const Workers&) = delete;
    Workers& operator=(const Workers&) = delete;

    std::size_t parts() const noexcept override { return parts_; }
    std::size_t gradient_buffer_bytes() const noexcept override { return buffer_bytes_; }
    void* gradient_buffer(std::size_t part) const noexcept override {
        return buffers_.data() + (part - 1) * buffer_bytes_ / sizeof(Slot);
    }

    void run(Task task, const void* state) const noexcept override {
        if (parts_ == 1) {
            task(state, 0);
            return;
        }
        task_ = task;
        state_ = state;
        control_ = float_control();
        pending_.store(parts_ - 1);
        for (std::size_t part = 1; part < parts_; ++part) claimed_[part].store(false, std::memory_order_release);
        generation_.fetch_add(1, std::memory_order_release);
        generation_.notify_all();
        task(state, 0);
        // A part whose thread has not woken yet (the machine is busy) is run here instead of
        // waited for. Each part keeps its range and its buffer, so the result is the same.
        for (std::size_t part = 1; part < parts_; ++part)
            if (!claimed_[part].exchange(true, std::memory_order_acq_rel)) finish(part);
        for (std::size_t left; (left = pending_.load(std::memory_order_acquire)) != 0;) spin_or_wait(pending_, left);
    }

private:
    using Slot = std::max_align_t;  // the buffers' unit: aligned for any scalar
    static std::size_t round_up(std::size_t bytes) { return (bytes + sizeof(Slot) - 1) / sizeof(Slot) * sizeof(Slot); }

    /// Waits while `value` holds `seen`: a few thousand polls, then the futex behind atomic wait.
    template <class V>
    static void spin_or_wait(const std::atomic<V>& value, V seen) {
        for (int i = 0; i < 4000; ++i)
            if (value.load(std::memory_order_acquire) != seen) return;
        value.wait(seen, std::memory_order_acquire);
    }

    void serve(std::stop_token stop, std::size_t part) const {
        std::uint64_t seen = 0;
        for (;;) {
            spin_or_wait(generation_, seen);
            seen = generation_.load(std::memory_order_acquire);
            if (stop.stop_requested()) return;
            if (claimed_[part].exchange(true, std::memory_order_acq_rel)) continue;  // the caller ran it
            if (float_control() != control_) set_float_control(control_);
            finish(part);
        }
    }

    void finish(std::size_t part) const {
        task_(state_, part);
        if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
    }

    std::size_t parts_, buffer_bytes_;
    mutable std::vector<Slot> buffers_;
    // Written by the caller before it moves `generation_` on, read by the threads after they see it move.
    mutable Task task_ = nullptr;
    mutable const void* state_ = nullptr;
    mutable unsigned long long control_ = 0;
    mutable std::atomic<std::uint64_t> generation_{0};
    mutable std::atomic<std::size_t> pending_{0};
    std::unique_ptr<std::atomic<bool>[]> claimed_;  // per part: taken by its thread or by the caller
    std::vector<std::jthread> threads_;  // last: stopped and joined before the members above go
};

}  // namespace typenet
