-- Sandbox test: memory bomb
return {
  Document = function(doc, ctx)
    local t = {} while true do t[#t + 1] = string.rep("x", 1e6) end
  end,
}
