-- Appends the titles of every module ctx.course lists to each page.
return {
  Document = function(doc, ctx)
    local titles = {}
    for _, m in ipairs(ctx.course.modules) do
      if type(m) == "table" and m.title then titles[#titles + 1] = m.title end
    end
    local kids = doc.children
    kids[#kids + 1] = course.Paragraph({course.Text("listed: " .. table.concat(titles, ", ") .. " end")})
    doc.children = kids
  end,
}
