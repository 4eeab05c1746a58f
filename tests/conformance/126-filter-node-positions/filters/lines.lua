-- Writes into each page whether the nodes it saw had line/col, and warns at each heading
-- (naming the edition) to show that ctx.warn still reports the true position.
local set, unset = false, false

local function look(node)
  if node.line == nil and node.col == nil then unset = true
  elseif node.line ~= nil and node.col ~= nil then set = true
  else unset, set = true, true end
end

return {
  Paragraph = look,
  Text = look,
  Heading = function(node, ctx)
    look(node)
    ctx.warn(node, "probe heading in " .. ctx.edition.name)
  end,
  Document = function(doc, ctx)
    local kids = doc.children
    kids[#kids + 1] = course.Paragraph{"positions: " .. (set and "some-set" or "none-set") .. " "
                                       .. (unset and "some-nil" or "none-nil") .. " end"}
    doc.children = kids
  end,
}
