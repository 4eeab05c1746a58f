-- Test filter: Code with live blanks, Worksheet info, the literal flag, clone and slice.
return {
  Code = function(node, ctx)
    ctx.warn(nil, "code text " .. tostring(node.text) .. " kids " .. #node.children)
  end,
  Worksheet = function(node, ctx)
    ctx.warn(nil, "ws info " .. tostring(node.info))
    node.info = "sh"
  end,
  Text = function(node, ctx)
    if node.text == "lit [[x]]" then
      local ok = pcall(function() node.literal = false end)
      local c, s = course.clone(node), course.slice(node, 5, -1)
      ctx.warn(nil, "literal " .. tostring(node.literal) .. " settable " .. tostring(ok) .. " clone " .. c.text ..
        " " .. tostring(c.literal) .. " slice " .. s.text .. " " .. tostring(s.literal) .. " made " ..
        tostring(course.Text("y").literal))
      node.text = "changed"
    end
  end,
  Blank = function(node, ctx)
    if node.label then ctx.warn(nil, "blank " .. node.label .. " " .. tostring(node.text)) end
  end,
}
