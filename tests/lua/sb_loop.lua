-- Sandbox test: runaway loop
return {
  Document = function(doc, ctx)
    while true do end
  end,
}
