-- Test filter: builds one of every constructor.
return {
  Document = function(doc, ctx)
    local kids = doc.children
    kids[#kids + 1] = course.Paragraph{course.Text("t"), course.Code("c"), course.SoftBreak(),
      course.LineBreak(), course.Link({"l"}, "http://x", "tt"), course.Span({"s"}, {id = "sp", classes = {"a", "b"}}),
      course.RawInline("html", "<b>"), course.Strikethrough{"del"}}
    kids[#kids + 1] = course.Heading(2, {"H"}, {id = "h2"})
    kids[#kids + 1] = course.Div({course.CodeBlock("x = 1\n", "lua")}, {classes = {"note"}})
    kids[#kids + 1] = course.List({course.Item{course.Paragraph{"one"}}}, {ordered = true, start = 3})
    kids[#kids + 1] = course.Table{head = {"A", {course.Emph{"B"}}}, rows = {{"1", "2"}, {"3"}}}
    kids[#kids + 1] = course.RawBlock("html", "<hr/>")
    doc.children = kids
  end,
}
