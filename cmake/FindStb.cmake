# FindStb: the compiled stb library (Debian's libstb-dev), as the imported target Stb::stb.
#
# Headers are included as <stb/stb_image_write.h>; the library already contains the
# implementations (stbi_write_png, stbi_load, ...), so users must NOT define
# STB_IMAGE_WRITE_IMPLEMENTATION themselves.
#
# Result variables: Stb_FOUND, STB_INCLUDE_DIR (the directory that contains stb/), STB_LIBRARY.
# Installed next to typenetConfig.cmake, which uses it to recreate Stb::stb for typenet::viz.

find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
    pkg_check_modules(PC_STB QUIET stb)
endif()

find_path(STB_INCLUDE_DIR NAMES stb/stb_image_write.h HINTS ${PC_STB_INCLUDEDIR})
find_library(STB_LIBRARY NAMES stb HINTS ${PC_STB_LIBDIR} ${PC_STB_LIBRARY_DIRS})
mark_as_advanced(STB_INCLUDE_DIR STB_LIBRARY)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Stb REQUIRED_VARS STB_LIBRARY STB_INCLUDE_DIR)

if(Stb_FOUND AND NOT TARGET Stb::stb)
    add_library(Stb::stb UNKNOWN IMPORTED)
    set_target_properties(Stb::stb PROPERTIES
        IMPORTED_LOCATION "${STB_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${STB_INCLUDE_DIR}")
endif()
