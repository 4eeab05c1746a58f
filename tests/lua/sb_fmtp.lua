-- Sandbox test: string.format('%p') would show an address
return {
  Document = function(doc, ctx)
    local s = string.format("%-20p", {})
  end,
}
