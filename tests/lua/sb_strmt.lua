-- Sandbox test: string metatable
return {
  Document = function(doc, ctx)
    getmetatable("").__index = {}
  end,
}
