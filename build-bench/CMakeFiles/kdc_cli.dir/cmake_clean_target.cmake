file(REMOVE_RECURSE
  "libkdc_cli.a"
)
