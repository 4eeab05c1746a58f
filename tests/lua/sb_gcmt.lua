-- Sandbox test: a finalizer (__gc) would run in another module's run
return {
  Document = function(doc, ctx)
    local t = setmetatable({}, {__gc = function() end})
  end,
}
