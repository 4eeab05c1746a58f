-- Test filter: records the order handlers are called in.
local seen = {}
local function rec(node) seen[#seen + 1] = node.type .. (node.text and (":" .. node.text) or "") end
return {
  Text = rec, Paragraph = rec, Heading = rec, Emph = rec, Div = rec,
  Document = function(doc, ctx)
    rec(doc)
    ctx.warn(nil, "order " .. table.concat(seen, " "))
  end,
}
