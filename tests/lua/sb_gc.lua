-- Sandbox test: collectgarbage
return {
  Document = function(doc, ctx)
    collectgarbage("stop")
  end,
}
