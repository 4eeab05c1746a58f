-- Sandbox test: os.remove
return {
  Document = function(doc, ctx)
    os.remove("/tmp/x")
  end,
}
