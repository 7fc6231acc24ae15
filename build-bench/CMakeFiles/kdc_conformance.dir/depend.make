# Empty dependencies file for kdc_conformance.
# This may be replaced when dependencies are built.
