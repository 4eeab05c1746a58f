-- Sandbox test: runaway loop hidden in pcall
return {
  Document = function(doc, ctx)
    while true do pcall(function() while true do end end) end
  end,
}
