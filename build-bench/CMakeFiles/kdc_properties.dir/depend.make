# Empty dependencies file for kdc_properties.
# This may be replaced when dependencies are built.
