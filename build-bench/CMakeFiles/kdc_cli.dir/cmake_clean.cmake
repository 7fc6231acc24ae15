file(REMOVE_RECURSE
  "CMakeFiles/kdc_cli.dir/cli/check_command.cc.o"
  "CMakeFiles/kdc_cli.dir/cli/check_command.cc.o.d"
  "CMakeFiles/kdc_cli.dir/cli/keys_command.cc.o"
  "CMakeFiles/kdc_cli.dir/cli/keys_command.cc.o.d"
  "CMakeFiles/kdc_cli.dir/cli/replay_command.cc.o"
  "CMakeFiles/kdc_cli.dir/cli/replay_command.cc.o.d"
  "libkdc_cli.a"
  "libkdc_cli.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/kdc_cli.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
