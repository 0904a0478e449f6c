# C libraries whose Debian packages ship no CMake package file, found by header and library as
# imported targets: libsodium (libsodium-dev; a rule set's sha256) and utf8proc (libutf8proc-dev;
# text read in Unicode's composed form, NFC).
function(screener_import_c_library target header name)
  string(MAKE_C_IDENTIFIER ${name} var)
  find_path(${var}_INCLUDE_DIR ${header} REQUIRED)
  find_library(${var}_LIBRARY ${name} REQUIRED)
  add_library(${target} UNKNOWN IMPORTED)
  set_target_properties(${target} PROPERTIES IMPORTED_LOCATION "${${var}_LIBRARY}" INTERFACE_INCLUDE_DIRECTORIES "${${var}_INCLUDE_DIR}")
endfunction()
screener_import_c_library(sodium::sodium sodium.h sodium)
screener_import_c_library(utf8proc::utf8proc utf8proc.h utf8proc)
