file(REMOVE_RECURSE
  "CMakeFiles/kdc_unit_tests.dir/cli/cli_test.cc.o"
  "CMakeFiles/kdc_unit_tests.dir/cli/cli_test.cc.o.d"
  "CMakeFiles/kdc_unit_tests.dir/conformance/canonical_traces_test.cc.o"
  "CMakeFiles/kdc_unit_tests.dir/conformance/canonical_traces_test.cc.o.d"
  "CMakeFiles/kdc_unit_tests.dir/model/vocabulary/config_test.cc.o"
  "CMakeFiles/kdc_unit_tests.dir/model/vocabulary/config_test.cc.o.d"
  "CMakeFiles/kdc_unit_tests.dir/model/vocabulary/event_test.cc.o"
  "CMakeFiles/kdc_unit_tests.dir/model/vocabulary/event_test.cc.o.d"
  "CMakeFiles/kdc_unit_tests.dir/model/vocabulary/properties_test.cc.o"
  "CMakeFiles/kdc_unit_tests.dir/model/vocabulary/properties_test.cc.o.d"
  "CMakeFiles/kdc_unit_tests.dir/model/vocabulary/trace_test.cc.o"
  "CMakeFiles/kdc_unit_tests.dir/model/vocabulary/trace_test.cc.o.d"
  "kdc_unit_tests"
  "kdc_unit_tests.pdb"
  "kdc_unit_tests[1]_tests.cmake"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/kdc_unit_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
