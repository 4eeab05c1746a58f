-- Sandbox test: dofile
return {
  Document = function(doc, ctx)
    dofile("/etc/passwd")
  end,
}
