# Empty dependencies file for kdc_model.
# This may be replaced when dependencies are built.
