-- Sandbox test: debug
return {
  Document = function(doc, ctx)
    debug.sethook()
  end,
}
