# Cross builds only: lets typenet's CMake find the host-only dependencies it asks for, though the
# core the firmware uses needs nothing but Boost.Hana's headers.
#
# - Boost: from a directory holding only boost/, because Boost::headers would otherwise add
#   -isystem /usr/include, whose glibc headers then replace newlib's.
# - fmt: typenet::typenet links fmt::fmt, whose 64-bit package refuses a 32-bit target. The core
#   never includes fmt, so an empty fmt::fmt (cross/fmt-config.cmake) stands in.
# - stb: typenet's CMakeLists.txt requires it (only typenet::viz uses it); pointing FindStb at
#   the host's files is enough, since nothing here links typenet::viz.
# Each goes away when typenet offers a core target without fmt and looks for fmt and stb only
# for the targets that need them.
find_path(EMBED_HOST_BOOST_INCLUDE_DIR boost/hana.hpp PATHS /usr/include /usr/local/include
          NO_CMAKE_FIND_ROOT_PATH REQUIRED)
set(embed_boost_only "${CMAKE_BINARY_DIR}/boost-only")
file(MAKE_DIRECTORY "${embed_boost_only}")
file(CREATE_LINK "${EMBED_HOST_BOOST_INCLUDE_DIR}/boost" "${embed_boost_only}/boost" SYMBOLIC)
set(Boost_INCLUDE_DIR "${embed_boost_only}" CACHE PATH "Boost headers, alone in their directory")
set(Boost_NO_BOOST_CMAKE ON CACHE BOOL "")

set(fmt_DIR "${CMAKE_CURRENT_LIST_DIR}/cross" CACHE PATH "an empty fmt::fmt: the core does not use fmt")

set(STB_INCLUDE_DIR "${EMBED_HOST_BOOST_INCLUDE_DIR}" CACHE PATH "")
set(STB_LIBRARY "unused-by-the-core" CACHE FILEPATH "")
