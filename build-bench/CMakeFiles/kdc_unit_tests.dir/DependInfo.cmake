
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/cli/cli_test.cc" "CMakeFiles/kdc_unit_tests.dir/cli/cli_test.cc.o" "gcc" "CMakeFiles/kdc_unit_tests.dir/cli/cli_test.cc.o.d"
  "/work/main/conformance/canonical_traces_test.cc" "CMakeFiles/kdc_unit_tests.dir/conformance/canonical_traces_test.cc.o" "gcc" "CMakeFiles/kdc_unit_tests.dir/conformance/canonical_traces_test.cc.o.d"
  "/work/main/model/vocabulary/config_test.cc" "CMakeFiles/kdc_unit_tests.dir/model/vocabulary/config_test.cc.o" "gcc" "CMakeFiles/kdc_unit_tests.dir/model/vocabulary/config_test.cc.o.d"
  "/work/main/model/vocabulary/event_test.cc" "CMakeFiles/kdc_unit_tests.dir/model/vocabulary/event_test.cc.o" "gcc" "CMakeFiles/kdc_unit_tests.dir/model/vocabulary/event_test.cc.o.d"
  "/work/main/model/vocabulary/properties_test.cc" "CMakeFiles/kdc_unit_tests.dir/model/vocabulary/properties_test.cc.o" "gcc" "CMakeFiles/kdc_unit_tests.dir/model/vocabulary/properties_test.cc.o.d"
  "/work/main/model/vocabulary/trace_test.cc" "CMakeFiles/kdc_unit_tests.dir/model/vocabulary/trace_test.cc.o" "gcc" "CMakeFiles/kdc_unit_tests.dir/model/vocabulary/trace_test.cc.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build-bench/CMakeFiles/kdc_cli.dir/DependInfo.cmake"
  "/work/main/build-bench/CMakeFiles/kdc_conformance.dir/DependInfo.cmake"
  "/work/main/build-bench/CMakeFiles/kdc_model.dir/DependInfo.cmake"
  "/work/main/build-bench/CMakeFiles/kdc_vocabulary.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
