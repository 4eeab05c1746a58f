-- Test filter: a global collecting every text (as a glossary cache might).
SEEN = SEEN or {}
return {
  Text = function(node, ctx) SEEN[#SEEN + 1] = node.text end,
  Document = function(doc, ctx)
    ctx.warn(nil, "seen in " .. ctx.edition.name .. ": " .. table.concat(SEEN, ","))
  end,
}
