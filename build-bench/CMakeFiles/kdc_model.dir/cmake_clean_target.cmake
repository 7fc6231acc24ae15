file(REMOVE_RECURSE
  "libkdc_model.a"
)
