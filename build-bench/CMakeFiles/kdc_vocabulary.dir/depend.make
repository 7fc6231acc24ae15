# Empty dependencies file for kdc_vocabulary.
# This may be replaced when dependencies are built.
