-- Sandbox test: string.dump
return {
  Document = function(doc, ctx)
    string.dump(function() end)
  end,
}
