
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/model/vocabulary/config.cc" "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/config.cc.o" "gcc" "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/config.cc.o.d"
  "/work/main/model/vocabulary/config_keys.cc" "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/config_keys.cc.o" "gcc" "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/config_keys.cc.o.d"
  "/work/main/model/vocabulary/event.cc" "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/event.cc.o" "gcc" "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/event.cc.o.d"
  "/work/main/model/vocabulary/properties.cc" "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/properties.cc.o" "gcc" "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/properties.cc.o.d"
  "/work/main/model/vocabulary/trace.cc" "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/trace.cc.o" "gcc" "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/trace.cc.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
