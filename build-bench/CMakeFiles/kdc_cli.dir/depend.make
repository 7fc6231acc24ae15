# Empty dependencies file for kdc_cli.
# This may be replaced when dependencies are built.
