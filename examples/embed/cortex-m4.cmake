# Toolchain file: Arm Cortex-M4 with its single-precision FPU, bare metal, Debian's gcc-arm-none-eabi
# and libstdc++-arm-none-eabi-newlib (newlib-nano).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
# A test executable cannot link without the board's linker script, so CMake's checks build a library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CMAKE_CXX_FLAGS_INIT
    "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -fno-exceptions -fno-rtti -ffunction-sections -fdata-sections")
# nosys: no operating system behind newlib; unused code and data are dropped.
set(CMAKE_EXE_LINKER_FLAGS_INIT "--specs=nano.specs --specs=nosys.specs -Wl,--gc-sections")

# Programs run on the host; headers may come from it too (see cross-boost.cmake).
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
