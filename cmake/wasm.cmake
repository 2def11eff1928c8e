# WebAssembly build settings (Debian's emscripten 3.1.6, offline).
# Boost.JSON and fmt are used header-only; we expose only their folders, never /usr/include.
set(RAPPORT_WASM_INCLUDE ${CMAKE_BINARY_DIR}/wasm-include)
file(MAKE_DIRECTORY ${RAPPORT_WASM_INCLUDE})
foreach(dir boost fmt catch2)
  if(NOT EXISTS ${RAPPORT_WASM_INCLUDE}/${dir})
    file(CREATE_LINK /usr/include/${dir} ${RAPPORT_WASM_INCLUDE}/${dir} SYMBOLIC)
  endif()
endforeach()

add_library(rapport_deps INTERFACE)
target_include_directories(rapport_deps SYSTEM INTERFACE ${RAPPORT_WASM_INCLUDE})
target_compile_definitions(rapport_deps INTERFACE FMT_HEADER_ONLY BOOST_JSON_HEADER_ONLY_SRC
                                                  BOOST_ALL_NO_LIB)
target_compile_options(rapport_deps INTERFACE -fwasm-exceptions)
target_link_options(rapport_deps INTERFACE -fwasm-exceptions -sALLOW_MEMORY_GROWTH=1)

# Everything for the web is built for size: every visitor downloads the module before the first
# frame, and -Os keeps it about a third smaller than -O3 (2.3 MB against 3.2 MB, 0.8 MB gzipped
# against 1.1 MB) at no cost a person notices. The portable tests run this same code under node.
add_compile_options(-Os)
