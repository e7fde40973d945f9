# Package test runner: builds and runs the consumer project in tests/package/ the way a user
# would get typenet.
#
#   cmake -DMODE=find_package|add_subdirectory -DSOURCE_DIR=<typenet source> -DBUILD_DIR=<typenet
#         build> -DWORK_DIR=<scratch> -DGENERATOR=<gen> [-DMAKE_PROGRAM=<ninja>]
#         -DCXX_COMPILER=<c++> [-DBUILD_TYPE=<cfg>] -P PackageTest.cmake
#
# find_package:     `cmake --install` the build tree into <scratch>/prefix, then configure the
#                   consumer with CMAKE_PREFIX_PATH=<scratch>/prefix.
# add_subdirectory: configure the consumer with TYPENET_SOURCE_DIR=<typenet source>; it pulls
#                   typenet in with add_subdirectory and checks that no tests or examples came
#                   along.
cmake_minimum_required(VERSION 3.25)

foreach(var MODE SOURCE_DIR BUILD_DIR WORK_DIR GENERATOR CXX_COMPILER)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
        message(FATAL_ERROR "PackageTest.cmake: -D${var}=... is required")
    endif()
endforeach()
if(NOT BUILD_TYPE)
    set(BUILD_TYPE Release)
endif()

function(run)
    list(JOIN ARGV " " text)
    message(STATUS "$ ${text}")
    execute_process(COMMAND ${ARGV} RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "package.${MODE}: command failed (${result}): ${text}")
    endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
set(consumer_args
    -S "${SOURCE_DIR}/tests/package"
    -B "${WORK_DIR}/build"
    -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
    # Only the package under test may be found, not one registered by an earlier build.
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
if(MAKE_PROGRAM)
    list(APPEND consumer_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()

if(MODE STREQUAL "find_package")
    run("${CMAKE_COMMAND}" --install "${BUILD_DIR}" --config "${BUILD_TYPE}"
        --prefix "${WORK_DIR}/prefix")
    list(APPEND consumer_args
        -DTYPENET_CONSUMER_MODE=find_package
        "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix")
elseif(MODE STREQUAL "add_subdirectory")
    list(APPEND consumer_args
        -DTYPENET_CONSUMER_MODE=add_subdirectory
        "-DTYPENET_SOURCE_DIR=${SOURCE_DIR}")
else()
    message(FATAL_ERROR "PackageTest.cmake: unknown MODE '${MODE}'")
endif()

run("${CMAKE_COMMAND}" ${consumer_args})
run("${CMAKE_COMMAND}" --build "${WORK_DIR}/build" --config "${BUILD_TYPE}")
# Ninja and Makefiles put the executable at the top of the build tree; multi-config generators
# in a per-configuration folder.
if(EXISTS "${WORK_DIR}/build/${BUILD_TYPE}/typenet_consumer${CMAKE_EXECUTABLE_SUFFIX}")
    run("${WORK_DIR}/build/${BUILD_TYPE}/typenet_consumer")
else()
    run("${WORK_DIR}/build/typenet_consumer")
endif()
message(STATUS "package.${MODE}: the consumer configured, built and ran")
