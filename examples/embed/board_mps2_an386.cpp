// The mps2-an386 board (Cortex-M4) in QEMU: vector table, start-up, semihosting output and exit, a timer.
#include <cstddef>
#include <cstdint>

#include "board.hpp"

int application_main() __asm__("main");  // main itself, which C++ does not let the program call

extern "C" {
// From mps2_an386.ld.
extern std::uint32_t __data_start[], __data_end[], __data_load[], __bss_start[], __bss_end[];
extern std::uint32_t __stack_bottom[], __stack_top[];
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
[[noreturn]] void reset_handler();
[[noreturn]] void fault_handler();
// newlib's allocator, which its own functions call in place of malloc (see no_heap.cpp).
void* __wrap__malloc_r(void*, std::size_t) { board::fail(); }
void* __wrap__calloc_r(void*, std::size_t, std::size_t) { board::fail(); }
void* __wrap__realloc_r(void*, void*, std::size_t) { board::fail(); }
}

namespace {

// Arm semihosting (a breakpoint QEMU serves with -semihosting-config enable=on).
enum Semihosting : int { write0 = 0x04, exit = 0x18 };
enum ExitReason : int { application_exit = 0x20026, run_time_error = 0x20023 };

int semihost(int operation, const void* argument) {
    register int r0 __asm__("r0") = operation;
    register const void* r1 __asm__("r1") = argument;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

[[noreturn]] void exit_with(ExitReason reason) {
    semihost(Semihosting::exit, reinterpret_cast<const void*>(reason));  // QEMU exits: 0 or 1
    for (;;) {
    }
}

volatile std::uint32_t& reg(std::uintptr_t address) { return *reinterpret_cast<volatile std::uint32_t*>(address); }

// CMSDK APB timer 0, clocked at the board's 25 MHz: under -icount shift=0 one tick is 40 instructions.
constexpr std::uintptr_t timer0 = 0x40000000;
constexpr std::uint32_t instructions_per_tick = 40;
constexpr std::uint32_t stack_paint = 0x5afe57acu;

void start_timer() {
    reg(timer0 + 0x08) = 0xffffffffu;  // RELOAD
    reg(timer0 + 0x04) = 0xffffffffu;  // VALUE, counting down
    reg(timer0 + 0x00) = 1;            // CTRL: enable
}

std::uintptr_t stack_pointer() {
    std::uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

std::size_t stack_used() {
    const std::uint32_t* p = __stack_bottom;
    while (p < __stack_top && *p == stack_paint) ++p;
    return std::size_t(reinterpret_cast<std::uintptr_t>(__stack_top) - reinterpret_cast<std::uintptr_t>(p));
}

void write_number(std::size_t n) {
    char text[12]{};
    char* p = text + sizeof text - 1;
    do *--p = char('0' + n % 10); while ((n /= 10) > 0);
    board::write(p);
}

}  // namespace

namespace board {

const char* const name = "Cortex-M4 (QEMU mps2-an386)";
const char* const clock_unit = "instructions";

void write(const char* text) { semihost(Semihosting::write0, text); }

std::uint64_t clock() { return std::uint64_t(0xffffffffu - reg(timer0 + 0x04)) * instructions_per_tick; }

void fail() { exit_with(run_time_error); }

}  // namespace board

void reset_handler() {
    reg(0xe000ed88) |= 0xfu << 20;  // CPACR: the FPU, before any float instruction
    __asm__ volatile("dsb\n isb" ::: "memory");
    for (std::uint32_t *from = __data_load, *to = __data_start; to < __data_end;) *to++ = *from++;
    for (std::uint32_t* p = __bss_start; p < __bss_end; ++p) *p = 0;
    // Paint the free stack, so its high-water mark can be read at the end.
    for (std::uint32_t* p = __stack_bottom; reinterpret_cast<std::uintptr_t>(p) + 64 < stack_pointer(); ++p)
        *p = stack_paint;
    for (auto* init = __init_array_start; init < __init_array_end; ++init) (*init)();
    start_timer();
    const int status = application_main();
    board::write("stack used: ");
    write_number(stack_used());
    board::write(" bytes\n");
    exit_with(status == 0 ? application_exit : run_time_error);
}

void fault_handler() {
    board::write("embed: FAILED: hard fault\n");
    exit_with(run_time_error);
}

// Initial stack pointer, then the Cortex-M4's fifteen system exception handlers.
__attribute__((section(".vectors"), used)) void (*const vector_table[16])() = {
    reinterpret_cast<void (*)()>(__stack_top), reset_handler, fault_handler, fault_handler, fault_handler,
    fault_handler, fault_handler, nullptr, nullptr, nullptr, nullptr, fault_handler, fault_handler, nullptr,
    fault_handler, fault_handler};
