# Empty dependencies file for kdc.
# This may be replaced when dependencies are built.
