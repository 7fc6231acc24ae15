
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/cli/main.cc" "CMakeFiles/kdc.dir/cli/main.cc.o" "gcc" "CMakeFiles/kdc.dir/cli/main.cc.o.d"
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
