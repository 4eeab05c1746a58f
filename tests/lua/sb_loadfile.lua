-- Sandbox test: loadfile
return {
  Document = function(doc, ctx)
    loadfile("/etc/passwd")
  end,
}
