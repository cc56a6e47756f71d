# Empty dependencies file for twinscale.
# This may be replaced when dependencies are built.
