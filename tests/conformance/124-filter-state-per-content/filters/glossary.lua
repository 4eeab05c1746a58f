-- An ordinary course glossary: collects every zq... word it sees into a GLOBAL table and
-- lists the collection at the end of each module. A global lives as long as its Lua state.
glossary = glossary or {}

return {
  Text = function(node, ctx)
    for w in string.gmatch(node.text, "zq%w+") do glossary[w] = true end
  end,
  Document = function(doc, ctx)
    local words = {}
    for w in pairs(glossary) do words[#words + 1] = w end
    table.sort(words)
    local kids = doc.children
    kids[#kids + 1] = course.Paragraph{"Glossary: " .. table.concat(words, ", ") .. "."}
    doc.children = kids
  end,
}
