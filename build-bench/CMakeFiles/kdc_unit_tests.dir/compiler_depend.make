# Empty compiler generated dependencies file for kdc_unit_tests.
# This may be replaced when dependencies are built.
