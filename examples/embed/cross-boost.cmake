# Cross builds only: Boost.Hana's headers from a directory holding only boost/. Boost::headers
# would otherwise add -isystem /usr/include, whose glibc headers then replace newlib's. typenet's
# core needs nothing else (typenet::core), so fmt and stb are not looked for.
find_path(EMBED_HOST_BOOST_INCLUDE_DIR boost/hana.hpp PATHS /usr/include /usr/local/include
          NO_CMAKE_FIND_ROOT_PATH REQUIRED)
set(embed_boost_only "${CMAKE_BINARY_DIR}/boost-only")
file(MAKE_DIRECTORY "${embed_boost_only}")
file(CREATE_LINK "${EMBED_HOST_BOOST_INCLUDE_DIR}/boost" "${embed_boost_only}/boost" SYMBOLIC)
set(Boost_INCLUDE_DIR "${embed_boost_only}" CACHE PATH "Boost headers, alone in their directory")
set(Boost_NO_BOOST_CMAKE ON CACHE BOOL "")
