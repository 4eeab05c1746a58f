-- Sandbox test: require outside the folder
return {
  Document = function(doc, ctx)
    require("../x")
  end,
}
