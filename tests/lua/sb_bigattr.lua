-- Sandbox test: attribute values stored in nodes count against the memory cap
return {
  Document = function(doc, ctx)
    local s = string.rep("y", 10 * 1024 * 1024)
    for i = 1, 6 do doc.attr = {id = s, ["k" .. i] = s} end
  end,
}
