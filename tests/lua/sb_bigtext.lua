-- Sandbox test: text stored in nodes counts against the memory cap
return {
  Document = function(doc, ctx)
    local s, keep = string.rep("x", 10 * 1024 * 1024), {}
    for i = 1, 6 do keep[i] = course.Text(s) end
  end,
}
