-- Sandbox test: require with a slash
return {
  Document = function(doc, ctx)
    require("sub/x")
  end,
}
