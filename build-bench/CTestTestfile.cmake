# CMake generated Testfile for 
# Source directory: /work/main
# Build directory: /work/main/build-bench
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
include("/work/main/build-bench/kdc_unit_tests[1]_include.cmake")
include("/work/main/build-bench/kdc_properties[1]_include.cmake")
