-- Sandbox test: setmetatable(_G)
return {
  Document = function(doc, ctx)
    setmetatable(_G, {__index = function() return 1 end})
  end,
}
