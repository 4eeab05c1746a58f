-- Test filter: every return form.
return {
  Text = function(node, ctx)
    if node.text == "del" then return {} end
    if node.text == "dup" then return {node, course.Text("!")} end
    if node.text == "rep" then return course.Emph({"x", course.Strong{course.Text("y")}}) end
    if node.text == "same" then return node end
    if node.text == "set" then node.text = "was set" end
    return nil
  end,
  Div = function(node, ctx)
    if node.attr.id == "unwrap" then return node.children end
    if node.attr.id == "attr" then
      local a = node.attr
      a.classes[#a.classes + 1] = "extra"
      a.title = "T"
      a.lines = 4
      node.attr = a
    end
  end,
  Strong = function(node, ctx)
    return course.Link({node}, "#t")   -- wraps the node it replaces
  end,
  Heading = function(node, ctx)
    node.level = 3
    local k = node.children
    k[#k + 1] = course.Blank{answer = {"two rings", {course.Emph{"second"}, " ring"}}}
    k[#k + 1] = course.Blank{label = "who"}
    node.children = k
  end,
}
