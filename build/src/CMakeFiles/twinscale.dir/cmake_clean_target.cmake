file(REMOVE_RECURSE
  "libtwinscale.a"
)
