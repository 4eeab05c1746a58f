-- Sandbox test: huge string.rep
return {
  Document = function(doc, ctx)
    local s = string.rep("x", 1e12)
  end,
}
