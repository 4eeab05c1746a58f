-- Sandbox test: deep recursion
return {
  Document = function(doc, ctx)
    local function f(n) return 1 + f(n + 1) end f(1)
  end,
}
