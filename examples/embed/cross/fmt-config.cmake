# Stands in for fmt in a cross build (see ../cross-dependencies.cmake): typenet's core never uses it.
if(NOT TARGET fmt::fmt)
    add_library(fmt::fmt INTERFACE IMPORTED)
endif()
