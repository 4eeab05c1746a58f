-- Sandbox test: a string larger than the memory cap
return {
  Document = function(doc, ctx)
    local s = string.rep("x", 1e9)
  end,
}
