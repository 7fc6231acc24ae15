file(REMOVE_RECURSE
  "CMakeFiles/kdc_conformance.dir/conformance/model_replay.cc.o"
  "CMakeFiles/kdc_conformance.dir/conformance/model_replay.cc.o.d"
  "libkdc_conformance.a"
  "libkdc_conformance.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/kdc_conformance.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
