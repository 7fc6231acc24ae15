# Empty dependencies file for kdc_bench.
# This may be replaced when dependencies are built.
