-- Sandbox test: nodes made from strings count against the memory cap
return {
  Document = function(doc, ctx)
    local t = {} for i = 1, 300000 do t[i] = "x" end
    local p = course.Paragraph(t)
  end,
}
