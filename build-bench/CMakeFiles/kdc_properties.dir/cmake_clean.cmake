file(REMOVE_RECURSE
  "CMakeFiles/kdc_properties.dir/properties/placeholder.cc.o"
  "CMakeFiles/kdc_properties.dir/properties/placeholder.cc.o.d"
  "kdc_properties"
  "kdc_properties.pdb"
  "kdc_properties[1]_tests.cmake"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/kdc_properties.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
