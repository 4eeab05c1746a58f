-- Test filter: `needs` limits the Text and Code handlers to nodes whose
-- text holds the given string; other types are called as usual.
local seen = {}
local function rec(node) seen[#seen + 1] = node.type .. ":" .. (node.text or "") end
return {
  needs = {Text = "{{", Code = "@@"},
  Text = rec, Code = rec, Emph = rec,
  Document = function(doc, ctx)
    ctx.warn(nil, "needs " .. table.concat(seen, " "))
  end,
}
