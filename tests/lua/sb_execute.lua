-- Sandbox test: os.execute
return {
  Document = function(doc, ctx)
    os.execute("true")
  end,
}
