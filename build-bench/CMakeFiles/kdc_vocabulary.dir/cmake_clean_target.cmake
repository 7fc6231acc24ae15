file(REMOVE_RECURSE
  "libkdc_vocabulary.a"
)
