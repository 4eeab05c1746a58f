-- Sandbox test: coroutine is not offered
return {
  Document = function(doc, ctx)
    coroutine.wrap(function() end)()
  end,
}
