# Empty dependencies file for twinscale_cli.
# This may be replaced when dependencies are built.
