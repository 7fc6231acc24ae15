file(REMOVE_RECURSE
  "CMakeFiles/kdc_bench.dir/bench/checker_bench.cc.o"
  "CMakeFiles/kdc_bench.dir/bench/checker_bench.cc.o.d"
  "kdc_bench"
  "kdc_bench.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/kdc_bench.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
