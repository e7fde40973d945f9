// ProgressLine: live training progress on a terminal, periodic plain lines anywhere else.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include <fmt/format.h>

#if __has_include(<unistd.h>)
#include <unistd.h>
#endif

namespace typenet {

enum class ProgressStyle {
    automatic,  ///< live when the stream is a terminal, lines otherwise
    live,       ///< one line rewritten in place (carriage return)
    lines,      ///< a plain line every tenth of an epoch: logs and CI stay readable
    none,
};

/// Reports epoch, progress, running loss and accuracy, samples/s and ETA.
class ProgressLine {
public:
    ProgressLine(std::FILE* stream, ProgressStyle style) : stream_(stream), style_(resolve(stream, style)) {}

    void start_epoch(std::size_t epoch, std::size_t epochs, std::size_t samples) {
        epoch_ = epoch;
        epochs_ = epochs;
        samples_ = samples;
        next_line_ = 1;
        start_ = last_draw_ = clock::now();
    }

    /// Cheap to call every step: it reads the clock only every 64 samples.
    void update(std::size_t done, double running_loss, double running_accuracy) {
        if (style_ == ProgressStyle::none || samples_ == 0) return;
        if (style_ == ProgressStyle::live) {
            if (done % 64 != 0 && done != samples_) return;
            const auto now = clock::now();
            if (done != samples_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
            last_draw_ = now;
            fmt::print(stream_, "\r{}\x1b[K", text(done, running_loss, running_accuracy, now));
            std::fflush(stream_);
        } else if (done * 10 >= next_line_ * samples_) {
            while (done * 10 >= next_line_ * samples_) ++next_line_;
            fmt::print(stream_, "{}\n", text(done, running_loss, running_accuracy, clock::now()));
            std::fflush(stream_);
        }
    }

    /// Ends the live line so later output starts on a fresh one.
    void finish_epoch(std::string_view validation) {
        if (style_ == ProgressStyle::none) return;
        if (style_ == ProgressStyle::live) fmt::print(stream_, "{}\n", validation.empty() ? "" : fmt::format("  {}", validation));
        else if (!validation.empty()) fmt::print(stream_, "epoch {}/{}  {}\n", epoch_, epochs_, validation);
        std::fflush(stream_);
    }

private:
    using clock = std::chrono::steady_clock;

    static ProgressStyle resolve(std::FILE* stream, ProgressStyle style) {
        if (style != ProgressStyle::automatic) return style;
#if __has_include(<unistd.h>)
        if (stream && isatty(fileno(stream))) return ProgressStyle::live;
#endif
        return ProgressStyle::lines;
    }

    std::string text(std::size_t done, double loss, double accuracy, clock::time_point now) const {
        const double seconds = std::chrono::duration<double>(now - start_).count();
        const double rate = seconds > 0 ? double(done) / seconds : 0.0;
        const double eta = rate > 0 ? double(samples_ - done) / rate : 0.0;
        return fmt::format("epoch {}/{} {:>3.0f}% {:>{}}/{}  loss {:.4f}  accuracy {:6.2f}%  {:>8.0f} samples/s  ETA {:.1f} s",
                           epoch_, epochs_, 100.0 * double(done) / double(samples_), done,
                           fmt::formatted_size("{}", samples_), samples_, loss, 100.0 * accuracy, rate, eta);
    }

    std::FILE* stream_;
    ProgressStyle style_;
    std::size_t epoch_ = 0, epochs_ = 0, samples_ = 0, next_line_ = 1;
    clock::time_point start_{}, last_draw_{};
};

}  // namespace typenet
