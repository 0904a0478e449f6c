# Replays the fuzz regressions (tests/fuzz_regressions/TARGET/) and seeds (fuzz/seeds/TARGET/) as ctest
# tests, through the fuzz targets' own entry points built without libFuzzer (fuzz/replay_main.cpp).
# Included by tests/CMakeLists.txt:  include(${PROJECT_SOURCE_DIR}/fuzz/replay.cmake)
# Needs the targets screener_engine and screener_warnings of the main build.
get_filename_component(_fuzz_dir ${CMAKE_CURRENT_LIST_DIR} ABSOLUTE)
get_filename_component(_fuzz_root ${_fuzz_dir}/.. ABSOLUTE)
foreach(_target rules expression proposal ndjson result_line ids)
  add_executable(fuzz_replay_${_target} ${_fuzz_dir}/fuzz_${_target}.cpp ${_fuzz_dir}/fuzz_common.cpp ${_fuzz_dir}/replay_main.cpp)
  # the targets use the engine's private headers (fast_bind.hpp, program.hpp)
  target_include_directories(fuzz_replay_${_target} PRIVATE ${_fuzz_root}/engine/src)
  target_link_libraries(fuzz_replay_${_target} PRIVATE screener_engine screener_warnings)
  set(_inputs ${_fuzz_root}/tests/fuzz_regressions/${_target} ${_fuzz_dir}/seeds/${_target})
  if(_target STREQUAL "proposal")
    list(APPEND _inputs ${_fuzz_root}/examples/proposals)
  endif()
  # and leave no scratch file behind (fuzz::scratch_path)
  add_test(NAME fuzz_regressions_${_target}
           COMMAND sh -c [["$0" "$@" & pid=$!; wait $pid; status=$?
                          for left in /dev/shm/screener-fuzz-$pid.* "${TMPDIR:-/tmp}"/screener-fuzz-$pid.*; do
                            [ -e "$left" ] && echo "left behind: $left" && status=1
                          done
                          exit $status]] $<TARGET_FILE:fuzz_replay_${_target}> ${_inputs})
  # a regression may be a hang (exponential work): fail it in bounded time
  set_tests_properties(fuzz_regressions_${_target} PROPERTIES TIMEOUT 120)
endforeach()
