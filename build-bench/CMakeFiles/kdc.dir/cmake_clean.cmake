file(REMOVE_RECURSE
  "CMakeFiles/kdc.dir/cli/main.cc.o"
  "CMakeFiles/kdc.dir/cli/main.cc.o.d"
  "kdc"
  "kdc.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/kdc.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
