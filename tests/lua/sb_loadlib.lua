-- Sandbox test: package.loadlib
return {
  Document = function(doc, ctx)
    package.loadlib("libc.so.6", "puts")
  end,
}
