-- Test filter: what a filter sees of positions; ctx.warn on a node.
return {
  Paragraph = function(node, ctx)
    ctx.warn(nil, "pos " .. tostring(node.line) .. ":" .. tostring(node.col) .. " made " ..
      tostring(course.Text("x").line))
    ctx.warn(node, "true position in " .. ctx.edition.name)
    ctx.warn({node = node.children[1], offset = 2}, "offset position in " .. ctx.edition.name)
  end,
}
