// Any heap allocation ends the run with an error: the proof that typenet needs none.
// The linker sends malloc, calloc and realloc here (--wrap); operator new is replaced outright.
#include <cstddef>
#include <new>

#include "board.hpp"

namespace {

[[noreturn]] void refuse(const char* allocator) {
    board::write("embed: FAILED: heap allocation by ");
    board::write(allocator);
    board::write("\n");
    board::fail();
}

}  // namespace

extern "C" {
void* __wrap_malloc(std::size_t) { refuse("malloc"); }
void* __wrap_calloc(std::size_t, std::size_t) { refuse("calloc"); }
void* __wrap_realloc(void*, std::size_t) { refuse("realloc"); }
}

void* operator new(std::size_t) { refuse("operator new"); }
void* operator new[](std::size_t) { refuse("operator new[]"); }
void* operator new(std::size_t, std::align_val_t) { refuse("operator new"); }
void* operator new[](std::size_t, std::align_val_t) { refuse("operator new[]"); }
// Nothing is ever allocated, so there is nothing to free.
void operator delete(void*) noexcept {}
void operator delete[](void*) noexcept {}
void operator delete(void*, std::size_t) noexcept {}
void operator delete[](void*, std::size_t) noexcept {}
void operator delete(void*, std::align_val_t) noexcept {}
void operator delete[](void*, std::align_val_t) noexcept {}
