file(REMOVE_RECURSE
  "libkdc_conformance.a"
)
