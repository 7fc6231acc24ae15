file(REMOVE_RECURSE
  "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/config.cc.o"
  "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/config.cc.o.d"
  "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/config_keys.cc.o"
  "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/config_keys.cc.o.d"
  "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/event.cc.o"
  "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/event.cc.o.d"
  "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/properties.cc.o"
  "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/properties.cc.o.d"
  "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/trace.cc.o"
  "CMakeFiles/kdc_vocabulary.dir/model/vocabulary/trace.cc.o.d"
  "libkdc_vocabulary.a"
  "libkdc_vocabulary.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/kdc_vocabulary.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
