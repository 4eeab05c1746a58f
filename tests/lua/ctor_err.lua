-- Test filter: a constructor given a block where inlines are needed.
return {
  Document = function(doc, ctx)
    local h = course.Heading(1, {"x"})
    local p = course.Paragraph({h})
  end,
}
