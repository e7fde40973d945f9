# Embedded test runner: builds examples/embed, a separate project, the way a user gets typenet,
# and runs it on the host, or for the Cortex-M4 in QEMU (mps2-an386, semihosting, -icount).
#
#   cmake -DTARGET=host|cortex_m4 -DSOURCE_DIR=<typenet source> -DWORK_DIR=<scratch>
#         [-DMODES=find_package,add_subdirectory] [-DPREFIX=<installed typenet> | -DBUILD_DIR=<typenet
#         build, installed into <scratch>/prefix>] [-DGENERATOR=<gen>] [-DMAKE_PROGRAM=<ninja>]
#         [-DCXX_COMPILER=<host c++>] [-DBUILD_TYPE=Release] -P EmbedTest.cmake
#
# Prints "embed: SKIPPED" and succeeds when the Arm toolchain or QEMU is missing (the CTests
# embed.* turn that into a skip); fails unless every build runs, prints "embed: passed" and exits 0.
# For the Cortex-M4 it also fails if the image links any allocator, and prints its size.
cmake_minimum_required(VERSION 3.25)

foreach(var PLATFORM SOURCE_DIR WORK_DIR)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
        message(FATAL_ERROR "EmbedTest.cmake: -D${var}=... is required")
    endif()
endforeach()
if(NOT MODES)
    set(MODES find_package add_subdirectory)
endif()
string(REPLACE "," ";" MODES "${MODES}")  # commas, since a CTest command line splits at semicolons
if(NOT BUILD_TYPE)
    set(BUILD_TYPE Release)
endif()

function(run)
    cmake_parse_arguments(PARSE_ARGV 0 arg "QUIET" "OUTPUT" "")
    list(JOIN arg_UNPARSED_ARGUMENTS " " text)
    message(STATUS "$ ${text}")
    execute_process(COMMAND ${arg_UNPARSED_ARGUMENTS} RESULT_VARIABLE result
                    OUTPUT_VARIABLE output ERROR_VARIABLE output TIMEOUT 300)
    if(NOT arg_QUIET OR NOT result EQUAL 0)
        message("${output}")
    endif()
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "embed.${PLATFORM}: command failed (${result}): ${text}")
    endif()
    if(arg_OUTPUT)
        set(${arg_OUTPUT} "${output}" PARENT_SCOPE)
    endif()
endfunction()

set(cross_args "")
if(PLATFORM STREQUAL "cortex_m4")
    foreach(tool arm-none-eabi-g++ arm-none-eabi-size arm-none-eabi-nm qemu-system-arm)
        string(MAKE_C_IDENTIFIER "${tool}" var)
        find_program(${var} ${tool})
        if(NOT ${var})
            message("embed: SKIPPED: ${tool} is missing (scripts/embed.sh installs gcc-arm-none-eabi, "
                    "libstdc++-arm-none-eabi-newlib and qemu-system-arm)")
            return()
        endif()
    endforeach()
    set(cross_args "-DCMAKE_TOOLCHAIN_FILE=${SOURCE_DIR}/examples/embed/cortex-m4.cmake")
elseif(NOT PLATFORM STREQUAL "host")
    message(FATAL_ERROR "EmbedTest.cmake: unknown PLATFORM '${PLATFORM}'")
endif()

file(REMOVE_RECURSE "${WORK_DIR}")
if("find_package" IN_LIST MODES AND NOT PREFIX)
    if(NOT BUILD_DIR)
        message(FATAL_ERROR "EmbedTest.cmake: find_package needs -DPREFIX=... or -DBUILD_DIR=...")
    endif()
    set(PREFIX "${WORK_DIR}/prefix")
    run("${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}")
endif()

foreach(mode IN LISTS MODES)
    set(build "${WORK_DIR}/${mode}")
    set(args -S "${SOURCE_DIR}/examples/embed" -B "${build}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
        "-DTYPENET_FIXTURE_DIR=${SOURCE_DIR}/tests/fixtures" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF ${cross_args})
    if(GENERATOR)
        list(APPEND args -G "${GENERATOR}")
    endif()
    if(MAKE_PROGRAM)
        list(APPEND args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
    endif()
    if(CXX_COMPILER AND PLATFORM STREQUAL "host")
        list(APPEND args "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
    endif()
    if(mode STREQUAL "find_package")
        list(APPEND args "-DCMAKE_PREFIX_PATH=${PREFIX}")
    elseif(mode STREQUAL "add_subdirectory")
        list(APPEND args "-DTYPENET_SOURCE_DIR=${SOURCE_DIR}")
    else()
        message(FATAL_ERROR "EmbedTest.cmake: unknown mode '${mode}'")
    endif()
    run("${CMAKE_COMMAND}" ${args})
    run("${CMAKE_COMMAND}" --build "${build}")

    set(image "${build}/embed${CMAKE_EXECUTABLE_SUFFIX}")
    if(PLATFORM STREQUAL "host")
        run("${image}" OUTPUT output)
    else()
        # -icount shift=0: one instruction per virtual nanosecond, so the board's timer counts them.
        run("${qemu_system_arm}" -M mps2-an386 -nographic -icount shift=0
            -semihosting-config enable=on,target=native -kernel "${image}" OUTPUT output)
        run("${arm_none_eabi_nm}" -C -S --size-sort "${image}" QUIET OUTPUT symbols)
        if(symbols MATCHES "[ \n](malloc|_malloc_r|_sbrk|operator new)[( \n]")
            message(FATAL_ERROR "embed.${PLATFORM}: the image links an allocator (${CMAKE_MATCH_1})")
        endif()
        message(STATUS "no allocator in the image; its largest objects (address, bytes in hex):")
        string(REGEX MATCHALL "[^\n]* [bBdDvV] [^\n]*" objects "${symbols}")
        foreach(line IN LISTS objects)
            if(line MATCHES " (inference|from_pytorch|net|optimizer|image|seed_mnist::parameters|pytorch_seed_network::parameters|mnist_test_digits::pixels)$")
                message("  ${line}")
            endif()
        endforeach()
        run("${arm_none_eabi_size}" "${image}")
    endif()
    if(NOT output MATCHES "embed: passed")
        message(FATAL_ERROR "embed.${PLATFORM} (${mode}): the program did not print 'embed: passed'")
    endif()
    message(STATUS "embed.${PLATFORM} (${mode}): built and passed")
endforeach()
