# Compiler flags for the project's own executables (tests, examples, benchmarks, tools).
#
# None of these go on the INTERFACE targets: a header-only library must not impose its warning
# policy or its math flags on the people who use it.
include_guard(GLOBAL)

option(TYPENET_WERROR "Treat warnings as errors in typenet's own tests, examples and benchmarks" ON)
option(TYPENET_NATIVE "Compile examples and benchmarks for this machine's CPU (-march=native)" OFF)

# Exposed so the top-level CMakeLists.txt can apply the same warnings to the generated
# header-verification targets (see there).
# -Wno-stringop-overflow (GCC only): at -O3, GCC 12 reports a false "writing 1 byte into a region of
# size 0" inside fmt 9's fill_t::operator= (fmt/core.h) for some format strings: the loop it flags
# is bounded by the fill's size, which GCC's value-range analysis loses after inlining.
set(TYPENET_WARNING_FLAGS
    $<$<CXX_COMPILER_ID:GNU,Clang,AppleClang>:-Wall;-Wextra;-Wpedantic>
    $<$<CXX_COMPILER_ID:GNU>:-Wno-stringop-overflow>
    $<$<AND:$<BOOL:${TYPENET_WERROR}>,$<CXX_COMPILER_ID:GNU,Clang,AppleClang>>:-Werror>)

# typenet_set_warnings(<target>): -Wall -Wextra -Wpedantic -Werror on GCC and Clang.
function(typenet_set_warnings target)
    target_compile_options(${target} PRIVATE ${TYPENET_WARNING_FLAGS})
endfunction()

# typenet_set_fast_math(<target>): flags that make the numeric loops faster without changing
# results.
#
# -fno-math-errno: std::sqrt (and friends) must set errno for negative inputs, so by default the
# compiler keeps a scalar call to the libm function in every loop that uses them; without errno
# it emits one sqrt instruction and the loop can be vectorised. No typenet code reads errno.
# Unlike -ffast-math this keeps IEEE semantics (NaN, infinities, ordering of additions), so
# results stay bit-identical between builds.
#
# -march=native (only with TYPENET_NATIVE=ON): use every instruction set of the build machine
# (AVX2, FMA, ...). The binaries then may not run on another CPU, hence off by default; the
# `release` preset turns it on for the demo.
function(typenet_set_fast_math target)
    target_compile_options(${target} PRIVATE
        $<$<CXX_COMPILER_ID:GNU,Clang,AppleClang>:-fno-math-errno>
        $<$<AND:$<BOOL:${TYPENET_NATIVE}>,$<CXX_COMPILER_ID:GNU,Clang,AppleClang>>:-march=native>)
endfunction()

# typenet_add_programs(<out-var> <glob> [FAST_MATH]): one executable per source matching <glob>,
# named after the file, linked to typenet::typenet and typenet::viz, with the project's warnings
# (and fast math when asked). Sets <out-var> to the list of target names.
function(typenet_add_programs out_var pattern)
    cmake_parse_arguments(PARSE_ARGV 2 arg "FAST_MATH" "" "")
    file(GLOB sources CONFIGURE_DEPENDS "${pattern}")
    set(names "")
    foreach(source IN LISTS sources)
        get_filename_component(name "${source}" NAME_WE)
        add_executable(${name} "${source}")
        target_link_libraries(${name} PRIVATE typenet::typenet typenet::viz)
        typenet_set_warnings(${name})
        if(arg_FAST_MATH)
            typenet_set_fast_math(${name})
        endif()
        list(APPEND names ${name})
    endforeach()
    set(${out_var} "${names}" PARENT_SCOPE)
endfunction()
